"""Settings profiles: ``base`` (shared), ``local`` (development), ``test`` and ``production``."""
