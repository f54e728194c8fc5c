"""The sales console: server-rendered pages under /console/ (login required)."""
