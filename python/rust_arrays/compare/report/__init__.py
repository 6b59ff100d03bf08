"""The report of a comparison run: terminal tables (:mod:`.table`), JSON (:mod:`.json_report`)
and the plot (:mod:`.plot`)."""
