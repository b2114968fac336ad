"""Accounts core: what every feature that makes or checks accounts shares (creating, membership, links).

Features (auth, users, imports, enrolments, learners) import from here; nothing here imports a feature.
"""
