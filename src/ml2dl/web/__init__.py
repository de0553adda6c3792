"""The web module (``ml2dl serve``).

    app.py       builds the app (``create_app``) and runs it with uvicorn (``serve``, N workers)
    settings.py  what a server knows about itself, handed to every worker
    deps.py      settings, the job pool and the upload store, as FastAPI dependencies
    errors.py    bad input → 4xx with its message; a bug → 500 without internals, traceback in the log
    schemas/     every request and response model (one base)
    routes/      one router per step
    jobs.py      long jobs, run once per server (jobstore.py: their files; sse.py: their progress)
    static/      the page: plain ES modules, no build step
"""
