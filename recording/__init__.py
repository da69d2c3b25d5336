"""Capture of live lectures to disk without transcoding (arrives with the recording issue)."""
