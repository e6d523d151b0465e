"""rehab: a home-rehab tracker for posterior heel pain."""

__version__ = "0.1.0"
