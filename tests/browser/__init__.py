"""Browser tests: JupyterLab in headless Chromium."""
