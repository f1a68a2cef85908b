"""Form parsing is pure: every rule about what a form may contain, tested without HTTP."""

import pytest

from app.evaluation import schemas


def _form(**fields: str) -> dict[str, list[str]]:
    return {name: [value] for name, value in fields.items()}


def _errors(parse, form) -> dict[str, str]:  # type: ignore[no-untyped-def]
    with pytest.raises(schemas.InvalidInput) as caught:
        parse(form)
    return caught.value.errors


def test_survey_with_three_scales_and_no_comment_is_accepted() -> None:
    data = schemas.parse_survey(_form(relevance="5", quality="3", applicability="1", comment=" "))
    assert data == schemas.SurveyInput(relevance=5, quality=3, applicability=1, comment=None)


@pytest.mark.parametrize("value", ["0", "6", "abc", "3.5", "-1", "²", "05"])
def test_survey_scale_outside_one_to_five_is_refused(value: str) -> None:
    errors = _errors(schemas.parse_survey, _form(relevance=value, quality="3", applicability="3"))
    assert errors == {"relevance": "Nilai relevansi harus salah satu dari 1, 2, 3, 4, atau 5."}


def test_every_missing_scale_gets_its_own_message_in_form_order() -> None:
    errors = _errors(schemas.parse_survey, _form(quality=""))
    assert list(errors) == ["relevance", "quality", "applicability"]
    assert errors["quality"] == "Pilih nilai 1 sampai 5 untuk mutu kursus."


def test_a_field_sent_twice_is_refused_rather_than_guessed() -> None:
    form = {"relevance": ["5", "1"], "quality": ["3"], "applicability": ["3"]}
    errors = _errors(schemas.parse_survey, form)
    assert set(errors) == {"relevance"}
    assert "terkirim lebih dari sekali" in errors["relevance"]


def test_comment_longer_than_the_limit_is_refused_with_the_count() -> None:
    form = _form(relevance="4", quality="4", applicability="4", comment="x" * 2001)
    assert _errors(schemas.parse_survey, form) == {
        "comment": "Komentar terlalu panjang: 2001 karakter, paling banyak 2000 karakter."
    }


def test_line_breaks_sent_as_crlf_count_once_like_the_browser_counted_them() -> None:
    text = "\r\n".join(["x" * 99] * 20)  # 1999 characters as typed, 2018 bytes as sent
    data = schemas.parse_survey(_form(relevance="4", quality="4", applicability="4", comment=text))
    assert data.comment is not None
    assert len(data.comment) == 1999
    assert "\r" not in data.comment


def test_control_characters_are_dropped_before_storing() -> None:
    data = schemas.parse_plan(_form(plan="Menata\x00 arsip surat masuk\x07 per bulan.\tSelesai."))
    assert data.plan == "Menata arsip surat masuk per bulan.\tSelesai."


def test_plan_is_required_and_needs_twenty_characters() -> None:
    assert _errors(schemas.parse_plan, _form(plan="  ")) == {"plan": "Rencana aksi wajib diisi."}
    short = _errors(schemas.parse_plan, _form(plan="Arsip rapi."))
    assert short["plan"].startswith("Rencana aksi terlalu singkat: 11 karakter, paling sedikit 20")


def test_plan_supervisor_name_is_optional_single_line_and_limited() -> None:
    plan = "Menyusun SOP pelayanan akta kelahiran."
    data = schemas.parse_plan(_form(plan=plan, supervisor_name="  Ibu\n Nurhayati,   S.Sos. "))
    assert data.supervisor_name == "Ibu Nurhayati, S.Sos."
    assert schemas.parse_plan(_form(plan=plan)).supervisor_name is None
    errors = _errors(schemas.parse_plan, _form(plan=plan, supervisor_name="x" * 201))
    assert set(errors) == {"supervisor_name"}


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({}, "Pilih hasil penerapan."),
        ({"status": "maybe"}, "Pilihan untuk hasil penerapan tidak dikenal. Pilih salah satu."),
    ],
)
def test_follow_up_status_must_be_one_of_the_three(form: dict[str, str], message: str) -> None:
    assert _errors(schemas.parse_follow_up, _form(**form)) == {"status": message}


def test_follow_up_note_is_optional() -> None:
    data = schemas.parse_follow_up(_form(status="partly"))
    assert data == schemas.FollowUpInput(status="partly", note=None)


def test_supervisor_verdict_is_one_of_the_four_levels() -> None:
    for verdict in ("none", "partly", "mostly", "fully"):
        assert schemas.parse_supervisor(_form(verdict=verdict)).verdict == verdict
    for old_or_unknown in ("confirmed", "not_seen", "applied", "5"):
        errors = _errors(schemas.parse_supervisor, _form(verdict=old_or_unknown))
        assert set(errors) == {"verdict"}
    assert list(schemas.verdict_labels().values()) == [
        "Tidak diterapkan",
        "Sebagian diterapkan",
        "Sebagian besar diterapkan",
        "Sepenuhnya diterapkan",
    ]


def test_supervisor_binding_checks_the_nip_with_the_nip_rules_and_keeps_digits_only() -> None:
    data = schemas.parse_supervisor_binding(
        _form(supervisor_nip=" 19750315 200003 2 002 ", supervisor_name=" Ibu  Rahma ")
    )
    assert data == schemas.SupervisorBindingInput("197503152000032002", "Ibu Rahma", None)
    assert _errors(schemas.parse_supervisor_binding, _form(supervisor_name="Ibu Rahma")) == {
        "supervisor_nip": "NIP atasan wajib diisi."
    }
    assert _errors(schemas.parse_supervisor_binding, _form(supervisor_nip="12345")) == {
        "supervisor_nip": "NIP harus 18 digit; yang diisi 5 digit."
    }
    bad_date = _errors(schemas.parse_supervisor_binding, _form(supervisor_nip="197513152000032002"))
    assert "bukan tanggal" in bad_date["supervisor_nip"]
    too_long = _form(supervisor_nip="197503152000032002", supervisor_jabatan="x" * 201)
    assert set(_errors(schemas.parse_supervisor_binding, too_long)) == {"supervisor_jabatan"}


def test_own_nip_on_the_link_is_required_and_checked_as_a_nip() -> None:
    assert schemas.parse_own_nip(_form(nip="197503152000032002")) == "197503152000032002"
    assert _errors(schemas.parse_own_nip, _form()) == {"nip": "NIP Anda wajib diisi."}
    assert set(_errors(schemas.parse_own_nip, _form(nip="abc"))) == {"nip"}
