"""The emulated services and the adapters that teach the middleware their wire protocols."""
