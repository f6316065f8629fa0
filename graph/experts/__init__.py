"""The expert network: profiles, review, directory, self-registration, nominations and self-service."""
