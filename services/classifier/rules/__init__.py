"""Rule-based detection of military strikes and sanctions actions, with modality and evidence.

One article flows top-down: ``classify.classify_text`` → ``sentences.split_sentences`` →
``strike.article_hits`` / ``sanction.article_hits`` (each reading its own cue tables, and
``modality.modality_of`` for every cue) → ``extract`` for the tag's fields.

Where a new phrasing goes (tables are regexes or word sets over folded, lower-case text):

- a new way to *report a strike* ("drone barrage", "jets pounded"): ``strike_cues.py`` —
  ``STRIKE_EVENT_PARTS`` for a phrase that names the attack by itself, ``STRIKE_VERB`` for a
  verb that needs a military actor before it, ``MIL_ACTOR`` for a new actor; its stem goes in
  ``STRIKE_GATE`` when no existing stem covers it.
- a new *non-military sense* of a strike word (labour strikes, sport, weather, drills):
  ``NOT_MIL_STRIKE`` or ``NOT_ATTACK`` in ``strike_cues.py``.
- a new *sanctions instrument* ("asset freeze", "entity list"): ``SANCTION_MENTION_PARTS`` in
  ``sanction_cues.py``, and its stem in ``SANCTION_GATE`` when no existing stem covers it
  (the gate is a cheap pre-check: a mention whose stem it lacks never reaches the rules).
- a new *sanctions action* verb ("slapped", "designated"): ``ACTION`` in ``sanction_cues.py``;
  lifting or easing: ``LIFT`` / ``EASE``.
- a new *non-governmental sense* of "sanction" (court, sport, platforms): ``NOT_GOV_SANCTION``,
  ``APPROVAL_SENSE`` or ``NON_GOV_CONTEXT`` in ``sanction_cues.py``.
- a new *modality* word (denial, call, threat, plan, recollection), for either event type:
  ``MODAL_BEFORE`` in ``modality.py``.
- a new *authority or programme* for the extracted fields: ``extract.py``; a new *country*
  spelling or demonym: ``services/classifier/countries.py`` (shared with story clustering).

A new entry in a mention table (``STRIKE_EVENT_PARTS``, ``SANCTION_MENTION_PARTS``, the other
strike tables, ``STATE_TARGETS``) needs a headline example in
``tests/unit/classifier/test_rules_cue_tables.py``: it fails until one uses the entry and the
headline yields a tag whose evidence names it (so no gate swallows the new phrasing).
"""
