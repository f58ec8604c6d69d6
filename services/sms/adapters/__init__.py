"""SMS adapters that talk to the provider (Twilio-compatible)."""
