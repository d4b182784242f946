"""What every app uses: the registry, reminders and the tick, the queue, scoped
querysets, periods, the room picker, uploads, spreadsheets, the workflow toolkit,
generic list and form views."""
