"""The `switchboard` command: the local stack (broker + every service as a process) or all services in one process."""
