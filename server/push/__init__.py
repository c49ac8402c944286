"""Reminders over Web Push (§5): subscriptions, reminder settings, planning and dispatch.

- `planning`  when prompts fall due: pure functions of settings, time zone and now
- `vapid`     the server's signing key and its JWT
- `sender`    encryption and HTTP to push services (the only module that talks to them)
- `dispatch`  the database side of the queue: plan, fan out, claim, record, reap
- `worker`    the dispatcher loop (`twitchlog worker`, or a thread of `twitchlog run`)
- `service`   what the API and other capabilities call (`notify_user` for caregiver alerts)
"""
