"""The clinic: train on chest images in the browser, judge the run as a clinician judges a test.

One module per idea:

* :mod:`.data` — what the server can train on (phantoms, its ``--data`` file or folder) and the
  validation and test splits a run is judged on;
* :mod:`.runs` — the runs folder: train a run through :func:`ml2dl.train.fit`, list, keep, delete;
* :mod:`.judge` — a run's model and its scores, the lab's one :class:`~ml2dl.train.Evaluation`;
* :mod:`.roc` — clinic-roc: ROC, AUC intervals, operating points, the threshold table, PR curve,
  calibration, decision curve;
* :mod:`.mistakes` — clinic-mistakes: the images of a confusion-matrix cell with their Grad-CAM;
* :mod:`.words` — the sentences, made from the numbers.
"""
