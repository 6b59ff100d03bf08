import os

from hypothesis import settings

# Exactness properties are cheap per example; run many. HYPOTHESIS_PROFILE=dev for a quick pass.
settings.register_profile("ci", max_examples=300, deadline=None)
settings.register_profile("dev", max_examples=50, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
