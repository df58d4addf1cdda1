"""factory_boy factories, one module per app, all importable from here.

from tests import factories
factories.MemberFactory()
"""

from .accounts import *  # noqa: F403
from .events import *  # noqa: F403
from .insights import *  # noqa: F403
from .members import *  # noqa: F403
from .minerals import *  # noqa: F403
from .petitions import *  # noqa: F403
from .workinggroups import *  # noqa: F403
