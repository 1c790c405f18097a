"""Pure casework logic: review items and the missed-check-in streak (`items`), the alert read
model (`alerts`), the supporter roster (`roster`), staff steps on cases and their rules
(`actions`), and the views staff read (`views`). No I/O, no codecs, no events."""
