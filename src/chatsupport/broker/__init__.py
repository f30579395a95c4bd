"""Publish/subscribe between processes: ``memory://`` (default) or ``redis://``.

The broker only *announces*; the database is the record. See ``base.py`` for the guarantees.
"""

from chatsupport.broker.base import Broker, BrokerEvent, Delivery, Gap, broker_from_url

__all__ = ["Broker", "BrokerEvent", "Delivery", "Gap", "broker_from_url"]
