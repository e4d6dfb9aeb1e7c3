"""Who labels and what becomes of the labels: the kinds of labelling (``kinds``: the
``{labelling}`` wildcard), a person's labels files and their store (``files``,
``store``), the pages that ask for labels (``pages``, ``templates/``) and their Label
Studio projects (``label_studio``, ``label_studio_exports``), the oracle that stands in
for a person and may err (``oracle``), the labels' quality and review list
(``quality``), and the review and robust treatment after it (``review``)."""
