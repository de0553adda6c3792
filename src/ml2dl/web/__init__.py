"""The web module (``ml2dl serve``): FastAPI app in ``app.py``, one router per step in
``routes/``, the page in ``static/`` (plain ES modules, no build step)."""
