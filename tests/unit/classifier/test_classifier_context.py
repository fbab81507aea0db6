"""Rules added after labelling the fresh check set C: background framing, reactions, vocabulary,
interceptions and hedges. Every sentence here is written for the test."""

from services.classifier.rules.classify import classify_text

STRIKE = "military_strike"
SANCTION = "sanction"


def _alerts(title: str, summary: str = "") -> set[str]:
    return {t.name for t in classify_text(title, summary) if t.alert}


def test_relative_participle_is_background() -> None:
    """A subject described as 'sanctioned over' something that then does something else."""
    assert SANCTION not in _alerts("Manager of shipping firm sanctioned over the war is found dead")


def test_indefinite_noun_phrase_participle_is_background() -> None:
    """'a general sanctioned by the EU' describes a person, it reports no action."""
    assert SANCTION not in _alerts("Beijing names a general sanctioned by the EU as envoy")


def test_after_it_was_sanctioned_is_background() -> None:
    """A passive inside an 'after' clause recalls an earlier designation."""
    assert SANCTION not in _alerts("Lisbon exits a bank", "The state left the lender after it was "
                                   "sanctioned, officials said.")


def test_preposition_before_sanctioned_makes_an_adjective() -> None:
    """'backed by sanctioned tycoons' names the tycoons, not an action."""
    assert SANCTION not in _alerts("Fund backed by sanctioned Russian tycoons appeals a sale")


def test_compound_noun_after_sanctions() -> None:
    """'sanctions police' and 'sanctions enforcement' are institutions, not measures."""
    assert SANCTION not in _alerts("Sanctions police must examine the bank's share swap")


def test_evaluative_predicate_is_background() -> None:
    """Judging sanctions already in force ('have failed') reports no new measure."""
    assert SANCTION not in _alerts("Essay", "The imposition of sanctions on Minsk has failed to "
                                   "change the regime's course.")


def test_negative_contraction_after_sanctions() -> None:
    """'sanctions aren't enough' is a noun followed by a verb, not 'X sanctions Y'."""
    assert SANCTION not in _alerts("Coups", "But sanctions aren't enough to stop the generals.")


def test_old_year_after_sanctions_is_historical() -> None:
    """'sanctions it imposed back in 2017' recalls an old action."""
    assert SANCTION not in _alerts("Talks stall", "The obstacle is sanctions it imposed on the "
                                   "minister back in 2017.")


def test_weak_adjective_in_agenda_is_not_an_action() -> None:
    """'further sanctions' listed among talk topics is an agenda item."""
    assert SANCTION not in _alerts("Summit", "Leaders meet on Friday for talks on the war, "
                                   "further sanctions against Moscow and reconstruction.")


def test_participle_clause_inherits_modality() -> None:
    """', designating ...' after 'would' stays a plan."""
    assert SANCTION not in _alerts("Bill filed", "The act would restore penalties, designating "
                                   "the militia as a foreign terrorist organization.")


def test_plead_for_relief_is_a_request() -> None:
    """Pleading for sanctions relief asks; nothing was eased."""
    assert SANCTION not in _alerts("Tycoon pleads for EU sanctions relief after quitting Moscow")


def test_unwilling_to_apply_sanctions_is_a_denial() -> None:
    """'unwilling to ... apply sanctions' reports a refusal."""
    assert SANCTION not in _alerts("Neutral bloc", "Unwilling to apply sanctions targeting "
                                   "Moscow, the group keeps trading.")


def test_platform_sanction_is_not_governmental() -> None:
    """A user 'sanctioned' by platforms is moderation, not a state measure."""
    assert SANCTION not in _alerts("Back online", "The senator was sanctioned for posts the "
                                   "platforms called dangerous.")


def test_sports_sanctioned_event_is_approval() -> None:
    """'sanctioned ... league' means approved by a sports body."""
    assert SANCTION not in _alerts("Cup exit", "The federation sanctioned Division II soccer "
                                   "league will skip the cup.")


def test_sanctions_against_offenders_are_criminal_penalties() -> None:
    """'sanctions against those responsible' are domestic legal penalties."""
    assert SANCTION not in _alerts("Assembly votes", "Deputies raised sanctions against those "
                                   "responsible for arson.")


def test_after_past_imposition_in_summary_is_a_cause() -> None:
    """A summary's 'after X imposed sanctions' explains a situation; it is not the news."""
    assert SANCTION not in _alerts("Shelves empty in Minsk", "A reporter visits shops after "
                                   "Western states imposed heavy sanctions in response to the "
                                   "crackdown.")


def test_background_headline_silences_summary() -> None:
    """A headline naming sanctions as background keeps a recounting summary from alerting."""
    assert SANCTION not in _alerts("Firms under sanctions send lobbyists to the forum",
                                   "One magnate was targeted with sanctions by the EU last year.")


def test_background_headline_keeps_dated_summary() -> None:
    """...unless the summary dates the action ('imposed on Sunday')."""
    assert SANCTION in _alerts("Bank cancels bond sale due to sanctions",
                               "The cancellation follows sanctions imposed on Sunday by the bloc.")


def test_opinion_headline_silences_summary() -> None:
    """Opinion pieces recount old asset freezes; only their headline could report one."""
    assert SANCTION not in _alerts("Opinion: Where the money for reconstruction can come from",
                                   "Britain froze assets belonging to the oligarch's family.")


def test_reaction_to_sanctions_reports_them() -> None:
    """'X reacts to Biden's sanctions' presupposes the sanctions were imposed."""
    assert SANCTION in _alerts("Ex-spy chief reacts to Biden's sanctions on Moscow")


def test_live_blog_fragment_participle() -> None:
    """A verbless fragment 'sanction imposed on X' in a summary reports the action."""
    assert SANCTION in _alerts("Live news", "Budget talks continue; sanction imposed on "
                               "Tehran and Minsk leaders.")


def test_sanctions_in_a_list_of_verbs() -> None:
    """'US sanctions, indicts Chinese firms' uses sanctions as a verb."""
    assert SANCTION in _alerts("Crackdown", "US sanctions, indicts Chinese firms over "
                               "precursor chemicals.")


def test_lift_ban_on_foreign_company() -> None:
    """Lifting a ban on a Chinese company eases a sanction."""
    assert SANCTION in _alerts("US agrees to lift ban on Chinese drone maker")


def test_ban_on_foreign_athletes_is_sport() -> None:
    """A ban on Russian athletes is a sporting measure."""
    assert SANCTION not in _alerts("Federation keeps ban on Russian athletes")


def test_lift_curbs_on_blacklisted_lab() -> None:
    """Lifting curbs on a blacklisted institute is an easing."""
    assert SANCTION in _alerts("Activists slam Washington for lifting curbs on a blacklisted "
                               "institute")


def test_blacklisted_adjective_alone_is_background() -> None:
    """'blacklisted spyware maker' describes the firm."""
    assert SANCTION not in _alerts("Police hire blacklisted spyware maker to trace phones")


def test_state_targets_officials() -> None:
    """'UK and EU target Iranian officials over' a crackdown names a sanctions action."""
    assert SANCTION in _alerts("UK and EU target Iranian officials over protest crackdown")


def test_rockets_fired_into() -> None:
    """'Rockets fired from X into Y' reports an attack."""
    assert STRIKE in _alerts("Rockets fired from the border area into northern towns")


def test_intercepted_missiles_with_attack_word() -> None:
    """Downed missiles in an article that names the attack count as a strike."""
    assert STRIKE in _alerts("Capital says it shot down six cruise missiles",
                             "The attack was the largest this month.")


def test_drone_hunters_feature_is_not_a_strike() -> None:
    """Shooting down drones without any attack named is a feature story."""
    assert STRIKE not in _alerts("Volunteers spend nights shooting down drones over the city")


def test_used_drones_with_casualties() -> None:
    """'used drones in the direction of' with wounded soldiers reports a strike."""
    assert STRIKE in _alerts("Border clash", "Two soldiers were wounded after the neighbour used "
                             "drones in the direction of the village.")


def test_hedged_superlative_keeps_occurred() -> None:
    """'what may be the largest attack' hedges the size, not the attack."""
    assert STRIKE in _alerts("Moscow fires what may be its largest aerial attack on the capital")


def test_steps_up_airstrikes_is_not_a_call() -> None:
    """'as the army steps up airstrikes' reports intensified strikes."""
    assert STRIKE in _alerts("Crowds march for a ceasefire as the army steps up airstrikes on "
                             "the city")


def test_defend_against_attacks_is_background() -> None:
    """The ability to defend against missile attacks names no attack."""
    assert STRIKE not in _alerts("Interview", "He said the country can now defend itself against "
                                 "missile attacks on power plants.")


def test_long_past_bombing_campaign() -> None:
    """A '17-year bombing campaign' in an obituary is history."""
    assert STRIKE not in _alerts("Convicted bomber dies", "He was jailed after a 17-year "
                                 "bombing campaign.")
