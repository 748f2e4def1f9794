"""The intake: files in from anywhere, archived first, identified, read in isolated workers, recorded."""
