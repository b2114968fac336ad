"""Series, enrolments and the learner page."""
