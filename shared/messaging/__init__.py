"""Switchboard's messaging layer: the only package that imports kombu."""

from shared.messaging.bus import BrokerUnavailable, MessageBus, Unroutable
from shared.messaging.worker import PermanentFailure, Worker

__all__ = ["BrokerUnavailable", "MessageBus", "PermanentFailure", "Unroutable", "Worker"]
