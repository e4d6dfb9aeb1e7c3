"""Where every artifact of the workflow lives: each path template written once.

The rules use these templates for their inputs and outputs (Snakemake fills the
``{wildcards}``); input functions and the experiment grid fill them with ``format``.
Logs and benchmarks follow the same layout under ``logs/`` and ``benchmarks/``.

Every artifact that depends on the data lives under the data set's name
(``results/{dataset}/``, config ``dataset.name``), so several data sets share one
working directory; a run's summary lives under its run name as well (config ``run``),
so several configs on one data set share every artifact but their summaries.
"""

from __future__ import annotations

# ---------------------------------------------------------------- data
DOWNLOADED_FASHION_MNIST_DIR = "resources/fashion-mnist"
DOWNLOADED_FASHION_MNIST = DOWNLOADED_FASHION_MNIST_DIR + "/{filename}"
#: everything made from one data set
RESULTS = "results/{dataset}"
DATASET = RESULTS + "/data/dataset.npz"
#: where the data set was read from (format and path), to refuse its name for another
DATASET_SOURCE = RESULTS + "/data/source.json"

# ---------------------------------------------------------------- embed
EMBEDDING_TRAIN = RESULTS + "/embeddings/{embedding}/train.npy"
EMBEDDING_TEST = RESULTS + "/embeddings/{embedding}/test.npy"
NEIGHBOURS = RESULTS + "/neighbours/{embedding}/neighbours.npz"
#: a big stage's parts (config shards), each a job of its own, gathered into the above
EMBEDDING_SHARD = RESULTS + "/embeddings/{embedding}/shards/{shard}-of-{shards}.npz"
NEIGHBOUR_ANCHORS = RESULTS + "/neighbours/{embedding}/shards/anchors.npz"
NEIGHBOUR_QUERIES = RESULTS + "/neighbours/{embedding}/shards/{shard}-of-{shards}.npz"

# ---------------------------------------------------------------- cluster, select, label
CLUSTERS = RESULTS + "/clusters/{embedding}/k{k}/seed{seed}/clusters.npz"
SELECTION = RESULTS + "/selections/{embedding}/{selection}/seed{seed}/selection.csv"
#: the labels of a selection; ``{labelling}`` says who gave them and whether they were
#: reviewed (clusterprop.labelling.kinds): oracle, oracle-alike10, person, person-reviewed, ...
LABELS = RESULTS + "/labels/{embedding}/{selection}/{labelling}/seed{seed}/labels.csv"
#: a person's labels: where each came from and how many annotations agreed with it
LABEL_AGREEMENT = RESULTS + "/labels/{embedding}/{selection}/{labelling}/seed{seed}/agreement.csv"
LABELLING_PAGE = RESULTS + "/labelling/{embedding}/{selection}/seed{seed}/labelling.html"
CONTACT_SHEET = RESULTS + "/labelling/{embedding}/{selection}/seed{seed}/contact_sheet.png"
#: the model a labeller's ambiguous mistakes follow: its probabilities of every image
LABELLER_MODEL = RESULTS + "/labellers/ambiguity.npz"
#: each given label's out-of-fold quality and the review list (the labels as given)
LABEL_QUALITY = (
    RESULTS + "/reviews/{embedding}/{selection}/{labelling}/seed{seed}/label_quality.csv"
)
REVIEW_PAGE = RESULTS + "/reviews/{embedding}/{selection}/{labelling}/seed{seed}/review.html"
REVIEW_SHEET = RESULTS + "/reviews/{embedding}/{selection}/{labelling}/seed{seed}/review_sheet.png"
#: the same selection (and review list) as a Label Studio project: its tasks and its
#: labelling config (clusterprop.labelling.label_studio)
LABEL_STUDIO_TASKS = (
    RESULTS + "/labelling/{embedding}/{selection}/seed{seed}/label-studio/tasks.json"
)
LABEL_STUDIO_CONFIG = (
    RESULTS + "/labelling/{embedding}/{selection}/seed{seed}/label-studio/label_config.xml"
)
REVIEW_LABEL_STUDIO_TASKS = (
    RESULTS + "/reviews/{embedding}/{selection}/{labelling}/seed{seed}/label-studio/tasks.json"
)
REVIEW_LABEL_STUDIO_CONFIG = (
    RESULTS
    + "/reviews/{embedding}/{selection}/{labelling}/seed{seed}/label-studio/label_config.xml"
)
#: a person's run: the selections it asks labels for and their review lists, each listed
#: once they are made (what the run waits for is read from them)
PERSON_SELECTIONS = RESULTS + "/labelling/{run}/selections.txt"
PERSON_REVIEW_LISTS = RESULTS + "/reviews/{run}/review_lists.txt"
#: where the workflow expects a person's labels file (under the config's labels_dir)
PERSON_LABELS = "{labels_dir}/{dataset}/{embedding}/{selection}/seed{seed}.csv"
#: and the person's reviewed labels (the review page's export)
PERSON_REVIEWED_LABELS = "{labels_dir}/{dataset}/{embedding}/{selection}/seed{seed}-reviewed.csv"

# ---------------------------------------------------------------- propagate, train
_LABELLED = "{embedding}/{selection}/{labelling}/{propagation}"
TRAINING_SET = RESULTS + "/training_sets/" + _LABELLED + "/seed{seed}/training_set.npz"
TRAINING_SET_RECORD = RESULTS + "/training_sets/" + _LABELLED + "/seed{seed}/training_set.json"
MODEL = RESULTS + "/models/" + _LABELLED + "/{classifier}/seed{seed}/model.skops"
METRICS = RESULTS + "/metrics/" + _LABELLED + "/{classifier}/seed{seed}/metrics.json"
PREDICTIONS = RESULTS + "/predictions/" + _LABELLED + "/{classifier}/seed{seed}/predictions.csv"
#: a part of a model's predictions (config shards), gathered into the above
PREDICTION_SHARD = (
    RESULTS
    + "/predictions/"
    + _LABELLED
    + "/{classifier}/seed{seed}/shards/{shard}-of-{shards}.npz"
)

# ---------------------------------------------------------------- networks (cnn), per round
#: one directory per self-training round of a network classifier
_ROUND = _LABELLED + "/{classifier}/seed{seed}/round{round}"
#: round 1 trains on TRAINING_SET; each later round on labels spread over the previous
#: round's network features
NETWORK_TRAINING_SET = RESULTS + "/training_sets/" + _ROUND + "/training_set.npz"
NETWORK_TRAINING_SET_RECORD = RESULTS + "/training_sets/" + _ROUND + "/training_set.json"
NETWORK_WEIGHTS = RESULTS + "/models/" + _ROUND + "/model.safetensors"
NETWORK_SPEC = RESULTS + "/models/" + _ROUND + "/model.json"
#: pooled features and class probabilities of every training and test image
NETWORK_OUTPUTS = RESULTS + "/network_outputs/" + _ROUND + "/outputs.npz"
NETWORK_METRICS = RESULTS + "/metrics/" + _ROUND + "/metrics.json"
NETWORK_PREDICTIONS = RESULTS + "/predictions/" + _ROUND + "/predictions.csv"

# ---------------------------------------------------------------- summary
#: a run's summary: one per run name (config ``run``) on a data set
SUMMARY_DIR = RESULTS + "/summary/{run}"
SUMMARY = {
    "metrics": SUMMARY_DIR + "/metrics.tsv",
    "tables": SUMMARY_DIR + "/tables.md",
    "ablation": SUMMARY_DIR + "/ablation.md",
    "accuracy_plot": SUMMARY_DIR + "/accuracy_vs_labels.png",
    "confusion_plot": SUMMARY_DIR + "/confusion_best.png",
    #: labellers that err and reviews: accuracy by error rate, budget and treatment
    "mistakes": SUMMARY_DIR + "/mistakes.md",
}
#: the predictions of the model the summary shows (the report holds this one)
BEST_PREDICTIONS = SUMMARY_DIR + "/predictions.csv"
#: pre-labels of the pile for a team to correct in Label Studio (config label_studio.prelabels)
PRELABELS = SUMMARY_DIR + "/label-studio/prelabels.json"
PRELABELS_CONFIG = SUMMARY_DIR + "/label-studio/label_config.xml"
REPRESENTATIVES_GRID = (
    SUMMARY_DIR + "/representatives/{embedding}-{selection}-{labelling}-seed{seed}.png"
)


# ---------------------------------------------------------------- logs and benchmarks


def logs(job: str, *, dataset: bool = True) -> str:
    """A job's log, ``logs/{dataset}/<job>.log`` (``job``: the rule's name, then its
    wildcards as a path); ``dataset`` False: ``logs/<job>.log``, for a job that belongs
    to no data set (a download)."""
    return ("logs/{dataset}/" if dataset else "logs/") + job + ".log"


def benchmarks(job: str, *, dataset: bool = True) -> str:
    """A job's time and memory (Snakemake's ``benchmark:``), beside its log's path under
    ``benchmarks/``."""
    return ("benchmarks/{dataset}/" if dataset else "benchmarks/") + job + ".tsv"
