"""Support requests and expert matching (#15): an organisation asks the expert network for help
(``SupportRequest``), coordinators rank the verified experts for it (``matching.py``) and propose
them (``Engagement``), the expert accepts or declines, the requester closes with feedback.
Experts state when they cannot help (``Unavailability``)."""
