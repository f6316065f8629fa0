"""Signing in without a password, by a link sent by e-mail: the one mechanism experts and team
leaders share (``links.py``: who may ask, the link's life, the mail)."""
