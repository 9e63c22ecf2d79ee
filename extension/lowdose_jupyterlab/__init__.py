"""lowdose-jupyterlab: the prebuilt JupyterLab extension that renders lowdose outputs."""

__version__ = "0.1.0"


def _jupyter_labextension_paths():
    return [{"src": "labextension", "dest": "lowdose-jupyterlab"}]
