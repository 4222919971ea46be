"""The `cwflow` command line: it builds the app with `web.create_app`; the web layer never imports it."""
