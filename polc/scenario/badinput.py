"""Placeholder replaced below."""
class BadInput:
    def __init__(self, s): self.s = s
