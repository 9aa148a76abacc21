"""pytest picks up the shared fixtures from here. Test modules import helpers from fhc_testlib
(not from `conftest`: with several conftest.py files in one run that name is ambiguous)."""
from fhc_testlib import *  # noqa: F401,F403
from fhc_testlib import exporter, frigate_sim, kube_double, procs  # noqa: F401  (fixtures)
