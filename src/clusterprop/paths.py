"""Where every artifact of the workflow lives: each path template written once.

The rules use these templates for their inputs and outputs (Snakemake fills the
``{wildcards}``); input functions and the experiment grid fill them with ``format``.
Logs and benchmarks follow the same layout under ``logs/`` and ``benchmarks/``.
"""

from __future__ import annotations

# ---------------------------------------------------------------- data
DOWNLOADED_FASHION_MNIST_DIR = "resources/fashion-mnist"
DOWNLOADED_FASHION_MNIST = DOWNLOADED_FASHION_MNIST_DIR + "/{filename}"
DATASET = "results/data/dataset.npz"

# ---------------------------------------------------------------- embed
EMBEDDING_TRAIN = "results/embeddings/{embedding}/train.npy"
EMBEDDING_TEST = "results/embeddings/{embedding}/test.npy"
NEIGHBOURS = "results/neighbours/{embedding}/neighbours.npz"
#: a big stage's parts (config shards), each a job of its own, gathered into the above
EMBEDDING_SHARD = "results/embeddings/{embedding}/shards/{shard}-of-{shards}.npz"
NEIGHBOUR_ANCHORS = "results/neighbours/{embedding}/shards/anchors.npz"
NEIGHBOUR_QUERIES = "results/neighbours/{embedding}/shards/{shard}-of-{shards}.npz"

# ---------------------------------------------------------------- cluster, select, label
CLUSTERS = "results/clusters/{embedding}/k{k}/seed{seed}/clusters.npz"
SELECTION = "results/selections/{embedding}/{selection}/seed{seed}/selection.csv"
#: the labels of a selection; ``{labelling}`` says who gave them and whether they were
#: reviewed (clusterprop.labellings): oracle, oracle-alike10, person, person-reviewed, ...
LABELS = "results/labels/{embedding}/{selection}/{labelling}/seed{seed}/labels.csv"
LABELLING_PAGE = "results/labelling/{embedding}/{selection}/seed{seed}/labelling.html"
CONTACT_SHEET = "results/labelling/{embedding}/{selection}/seed{seed}/contact_sheet.png"
#: the model a labeller's ambiguous mistakes follow: its probabilities of every image
LABELLER_MODEL = "results/labellers/ambiguity.npz"
#: each given label's out-of-fold quality and the review list (the labels as given)
LABEL_QUALITY = "results/reviews/{embedding}/{selection}/{labelling}/seed{seed}/label_quality.csv"
REVIEW_PAGE = "results/reviews/{embedding}/{selection}/{labelling}/seed{seed}/review.html"
REVIEW_SHEET = "results/reviews/{embedding}/{selection}/{labelling}/seed{seed}/review_sheet.png"
#: where the workflow expects a person's labels file (under the config's labels_dir)
PERSON_LABELS = "{labels_dir}/{embedding}/{selection}/seed{seed}.csv"
#: and the person's reviewed labels (the review page's export)
PERSON_REVIEWED_LABELS = "{labels_dir}/{embedding}/{selection}/seed{seed}-reviewed.csv"

# ---------------------------------------------------------------- propagate, train
_LABELLED = "{embedding}/{selection}/{labelling}/{propagation}"
TRAINING_SET = "results/training_sets/" + _LABELLED + "/seed{seed}/training_set.npz"
TRAINING_SET_RECORD = "results/training_sets/" + _LABELLED + "/seed{seed}/training_set.json"
MODEL = "results/models/" + _LABELLED + "/{classifier}/seed{seed}/model.skops"
METRICS = "results/metrics/" + _LABELLED + "/{classifier}/seed{seed}/metrics.json"
PREDICTIONS = "results/predictions/" + _LABELLED + "/{classifier}/seed{seed}/predictions.csv"
#: a part of a model's predictions (config shards), gathered into the above
PREDICTION_SHARD = (
    "results/predictions/" + _LABELLED + "/{classifier}/seed{seed}/shards/{shard}-of-{shards}.npz"
)

# ---------------------------------------------------------------- networks (cnn), per round
#: one directory per self-training round of a network classifier
_ROUND = _LABELLED + "/{classifier}/seed{seed}/round{round}"
#: round 1 trains on TRAINING_SET; each later round on labels spread over the previous
#: round's network features
NETWORK_TRAINING_SET = "results/training_sets/" + _ROUND + "/training_set.npz"
NETWORK_TRAINING_SET_RECORD = "results/training_sets/" + _ROUND + "/training_set.json"
NETWORK_WEIGHTS = "results/models/" + _ROUND + "/model.safetensors"
NETWORK_SPEC = "results/models/" + _ROUND + "/model.json"
#: pooled features and class probabilities of every training and test image
NETWORK_OUTPUTS = "results/network_outputs/" + _ROUND + "/outputs.npz"
NETWORK_METRICS = "results/metrics/" + _ROUND + "/metrics.json"
NETWORK_PREDICTIONS = "results/predictions/" + _ROUND + "/predictions.csv"

# ---------------------------------------------------------------- summary
SUMMARY = {
    "metrics": "results/summary/metrics.tsv",
    "tables": "results/summary/tables.md",
    "ablation": "results/summary/ablation.md",
    "accuracy_plot": "results/summary/accuracy_vs_labels.png",
    "confusion_plot": "results/summary/confusion_best.png",
    #: labellers that err and reviews: accuracy by error rate, budget and treatment
    "mistakes": "results/summary/mistakes.md",
}
#: the predictions of the model the summary shows (the report holds this one)
BEST_PREDICTIONS = "results/summary/predictions.csv"
REPRESENTATIVES_GRID = (
    "results/summary/representatives/{embedding}-{selection}-{labelling}-seed{seed}.png"
)
