"""The citizen's privacy rights: download my data, delete my account."""
