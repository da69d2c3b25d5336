"""QOU Classroom server core: configuration, data, auth and the live-room domain.

Other packages (signaling, vod, portal_api) build on what is exported here; they do not reach
into private modules.
"""

from classroom_server.config import Settings

__all__ = ["Settings"]
__version__ = "0.1.0"
