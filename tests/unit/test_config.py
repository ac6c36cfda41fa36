"""Config loading: where the file is found, how paths and env overrides resolve, what errors say."""

from __future__ import annotations

import re
import textwrap
import tomllib
from datetime import date
from pathlib import Path

import pytest

from jobs.triggers import next_fire_time
from tracker.config import ReposSection, find_config_path, load_settings
from tracker.config_files import ConfigError
from tracker.domain import LOGIN_RULE, is_github_login
from tracker.rules import RepoRules, RosterEntry

MINIMAL = """
[github]
org = "acme"
"""
# Tests that are not about the shipped catalog bring their own [repos], last so that it does not
# take in the keys of the sections after MINIMAL.
REPOS = """
[repos]
include = ["huggingface/*"]
"""

CATALOG_FILE = Path(__file__).resolve().parents[2] / "config" / "catalog.toml"
OWNER_SLASH_NAME = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def load_error(path: Path) -> str:
    with pytest.raises(ConfigError) as caught:
        load_settings(path, environ={})
    return str(caught.value)


# --- where the config is found ----------------------------------------------------------------


def test_explicit_path_wins_over_the_environment() -> None:
    found = find_config_path("cli.toml", {"TRACKER_CONFIG": "/etc/tracker/env.toml"})

    assert found == Path("cli.toml")


def test_environment_variable_is_used_without_an_explicit_path() -> None:
    assert find_config_path(None, {"TRACKER_CONFIG": "/etc/tracker/env.toml"}) == Path(
        "/etc/tracker/env.toml"
    )


@pytest.mark.parametrize("environ", [{}, {"TRACKER_CONFIG": ""}])
def test_default_is_tracker_toml_in_the_working_directory(environ: dict[str, str]) -> None:
    assert find_config_path(None, environ) == Path("tracker.toml")
    assert find_config_path("", environ) == Path("tracker.toml")


def test_default_path_loads_the_file_in_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path / "tracker.toml", '[github]\norg = "from-cwd"\n' + REPOS)
    monkeypatch.chdir(tmp_path)

    settings = load_settings(find_config_path(None, {}), environ={})

    assert settings.org == "from-cwd"
    assert settings.path == Path("tracker.toml")
    assert settings.database_url == f"sqlite:///{tmp_path.resolve() / 'tracker.db'}"


# --- paths relative to the config file -------------------------------------------------------


def test_relative_roster_and_sqlite_paths_resolve_against_the_config_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "conf"
    config = write(
        folder / "tracker.toml",
        """
        [github]
        org = "acme"

        [members]
        roster = "people/roster.toml"

        [database]
        url = "sqlite:///data/tracker.db"

        [repos]
        include = ["huggingface/*"]
        """,
    )
    write(folder / "people" / "roster.toml", '[[member]]\nlogin = "fay"\nteam = "Inference"\n')
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)

    settings = load_settings(config, environ={})

    assert settings.roster == (RosterEntry(login="fay", team="Inference"),)
    assert settings.database_url == f"sqlite:///{folder.resolve() / 'data' / 'tracker.db'}"


@pytest.mark.parametrize(
    "url",
    [
        "sqlite:////var/lib/tracker/tracker.db",
        "sqlite:///:memory:",
        "postgresql+psycopg://tracker@db.internal:5432/tracker",
    ],
)
def test_absolute_memory_and_server_database_urls_are_kept(tmp_path: Path, url: str) -> None:
    config = write(tmp_path / "tracker.toml", f'{MINIMAL}\n[database]\nurl = "{url}"\n{REPOS}')

    assert load_settings(config, environ={}).database_url == url


def test_absolute_roster_path_is_kept(tmp_path: Path) -> None:
    roster = write(tmp_path / "shared" / "roster.toml", '[[member]]\nlogin = "gus"\n')
    config = write(tmp_path / "conf" / "tracker.toml", f'{MINIMAL}\n[members]\nroster = "{roster}"\n{REPOS}')

    assert load_settings(config, environ={}).roster == (RosterEntry(login="gus"),)


def test_roster_entries_carry_every_field(tmp_path: Path) -> None:
    write(
        tmp_path / "roster.toml",
        """
        [[member]]
        login = "fay"
        name = "Fay Li"
        team = "Inference"
        aliases = ["fay-alt", "fli"]
        since = 2025-03-01
        until = 2026-10-29
        public = false
        slack = "U0123ABCD"
        email = "fay@acme.example"

        [[member]]
        login = "gus"
        """,
    )
    config = write(tmp_path / "tracker.toml", f'{MINIMAL}\n[members]\nroster = "roster.toml"\n{REPOS}')

    assert load_settings(config, environ={}).roster == (
        RosterEntry(
            login="fay",
            name="Fay Li",
            team="Inference",
            aliases=("fay-alt", "fli"),
            since=date(2025, 3, 1),
            until=date(2026, 10, 29),
            public=False,
            slack="U0123ABCD",
            email="fay@acme.example",
        ),
        RosterEntry(login="gus"),
    )


# --- environment overrides -------------------------------------------------------------------


def test_environment_overrides_api_url_and_database_url(tmp_path: Path) -> None:
    config = write(
        tmp_path / "tracker.toml",
        """
        [github]
        org = "acme"
        api_url = "https://api.github.com"

        [database]
        url = "sqlite:///tracker.db"

        [repos]
        include = ["huggingface/*"]
        """,
    )
    environ = {
        "GITHUB_API_URL": "https://ghe.example.com/api/v3/",
        "TRACKER_DATABASE_URL": "postgresql+psycopg://tracker@db.internal:5432/tracker",
    }

    settings = load_settings(config, environ=environ)

    assert settings.api_url == "https://ghe.example.com/api/v3"
    assert settings.database_url == "postgresql+psycopg://tracker@db.internal:5432/tracker"


def test_without_overrides_the_file_values_apply(tmp_path: Path) -> None:
    config = write(
        tmp_path / "tracker.toml",
        """
        [github]
        org = "acme"
        api_url = "https://ghe.example.com/api/v3/"

        [repos]
        include = ["huggingface/*"]
        """,
    )

    settings = load_settings(config, environ={"GITHUB_API_URL": "", "TRACKER_DATABASE_URL": ""})

    assert settings.api_url == "https://ghe.example.com/api/v3"
    assert settings.database_url == f"sqlite:///{tmp_path.resolve() / 'tracker.db'}"


def test_a_default_database_url_from_the_environment_never_overrides_the_file(tmp_path: Path) -> None:
    config = write(
        tmp_path / "tracker.toml",
        """
        [github]
        org = "acme"

        [database]
        url = "postgresql+psycopg://tracker@db.internal:5432/tracker"
        """,
    )

    settings = load_settings(config, environ={"TRACKER_DEFAULT_DATABASE_URL": "sqlite:////data/tracker.db"})

    assert settings.database_url == "postgresql+psycopg://tracker@db.internal:5432/tracker"


def test_a_default_database_url_from_the_environment_applies_when_the_file_sets_none(tmp_path: Path) -> None:
    config = write(tmp_path / "tracker.toml", '[github]\norg = "acme"\n')

    settings = load_settings(config, environ={"TRACKER_DEFAULT_DATABASE_URL": "sqlite:////data/tracker.db"})

    assert settings.database_url == "sqlite:////data/tracker.db"


# --- the shipped catalog ---------------------------------------------------------------------


def shipped_catalog_rules() -> RepoRules:
    """The catalog as it sits in the source tree (config/catalog.toml), validated like a [repos]."""
    raw = tomllib.loads(CATALOG_FILE.read_text(encoding="utf-8"))
    return ReposSection.model_validate(raw["repos"]).to_rules()


def test_shipped_catalog_lists_real_owner_name_repos_and_topics() -> None:
    rules = shipped_catalog_rules()

    assert len({name.lower() for name in rules.include}) >= 40
    assert len({name.lower() for name in rules.include}) == len(rules.include)
    assert [name for name in rules.include if not OWNER_SLASH_NAME.fullmatch(name)] == []
    assert len(rules.topics) > 0
    assert all(topic and topic == topic.strip() for topic in rules.topics)
    assert rules.labels_meaning_merged("PyTorch/PyTorch") == frozenset({"merged"})


def test_shipped_catalog_applies_when_repos_is_absent(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path / "tracker.toml", MINIMAL), environ={})

    assert settings.repo_source == "catalog"
    assert settings.repo_rules == shipped_catalog_rules()


def test_a_repos_section_replaces_the_catalog(tmp_path: Path) -> None:
    config = write(
        tmp_path / "tracker.toml",
        f'{MINIMAL}\n[repos]\ninclude = ["acme-ai/*"]\ntopics = ["llm"]\n',
    )

    settings = load_settings(config, environ={})

    assert settings.repo_source == str(config)
    assert settings.repo_rules.include == ("acme-ai/*",)
    assert settings.repo_rules.topics == ("llm",)
    assert settings.repo_rules.labels_meaning_merged("pytorch/pytorch") == frozenset()


# --- errors name the file and the key --------------------------------------------------------


def test_missing_org_names_the_file_and_key(tmp_path: Path) -> None:
    config = write(tmp_path / "tracker.toml", '[github]\napi_url = "https://api.github.com"\n')

    assert load_error(config) == f"{config}: github.org: Field required"


def test_missing_github_section_names_the_file_and_section(tmp_path: Path) -> None:
    config = write(tmp_path / "tracker.toml", "[sync]\nbackfill_days = 30\n")

    assert load_error(config) == f"{config}: github: Field required"


def test_unknown_key_names_the_file_and_key(tmp_path: Path) -> None:
    config = write(tmp_path / "tracker.toml", '[github]\norg = "acme"\ntoken = "ghp_do_not_put_it_here"\n')

    message = load_error(config)

    assert message == f"{config}: github.token: unknown key"
    assert "ghp_do_not_put_it_here" not in message


def test_unknown_section_names_the_file_and_section(tmp_path: Path) -> None:
    config = write(tmp_path / "tracker.toml", f"{MINIMAL}\n[slak]\nchannel = 'C123'\n")

    assert load_error(config) == f"{config}: slak: unknown key"


def _config_with_roster(tmp_path: Path, roster_text: str) -> tuple[Path, Path]:
    roster = write(tmp_path / "team" / "roster.toml", roster_text)
    config = write(tmp_path / "tracker.toml", f'{MINIMAL}\n[members]\nroster = "team/roster.toml"\n{REPOS}')
    return config, roster


def test_roster_field_of_the_wrong_type_names_the_roster_file_and_member(tmp_path: Path) -> None:
    config, roster = _config_with_roster(
        tmp_path, '[[member]]\nlogin = "fay"\n\n[[member]]\nlogin = "gus"\nteam = 5\n'
    )

    assert load_error(config) == f"{roster}: member[2].team: Input should be a valid string"


def test_roster_unknown_field_names_the_roster_file_and_member(tmp_path: Path) -> None:
    config, roster = _config_with_roster(
        tmp_path, '[[member]]\nlogin = "fay"\n\n[[member]]\nlogin = "gus"\nphone = "555-0100"\n'
    )

    assert load_error(config) == f"{roster}: member[2].phone: unknown key"


def test_roster_since_not_before_until_names_the_member(tmp_path: Path) -> None:
    config, roster = _config_with_roster(
        tmp_path,
        '[[member]]\nlogin = "fay"\n\n[[member]]\nlogin = "gus"\nsince = 2026-05-01\nuntil = 2026-05-01\n',
    )

    assert load_error(config) == (
        f"{roster}: member[2]: since (2026-05-01) must be before until (2026-05-01)"
    )


def test_roster_duplicate_login_through_an_alias_is_an_error(tmp_path: Path) -> None:
    config, roster = _config_with_roster(
        tmp_path, '[[member]]\nlogin = "fay"\naliases = ["Fay-Alt"]\n\n[[member]]\nlogin = "fay-alt"\n'
    )

    assert load_error(config) == f"{roster}: roster login 'fay-alt' appears twice (also under 'fay')"


def test_roster_duplicate_login_across_entries_ignores_case(tmp_path: Path) -> None:
    config, roster = _config_with_roster(tmp_path, '[[member]]\nlogin = "Fay"\n\n[[member]]\nlogin = "fay"\n')

    assert load_error(config) == f"{roster}: roster login 'fay' appears twice (also under 'Fay')"


def test_invalid_toml_names_the_file_and_line(tmp_path: Path) -> None:
    config = write(tmp_path / "tracker.toml", '[github]\norg = "acme\n')

    message = load_error(config)

    assert message.startswith(f"{config}: not valid TOML: ")
    assert "line 2" in message


def test_missing_file_is_named(tmp_path: Path) -> None:
    assert load_error(tmp_path / "nowhere.toml") == f"{tmp_path / 'nowhere.toml'}: file not found"


def test_missing_roster_file_is_named(tmp_path: Path) -> None:
    config = write(tmp_path / "tracker.toml", f'{MINIMAL}\n[members]\nroster = "roster.toml"\n')

    assert load_error(config) == f"{tmp_path / 'roster.toml'}: file not found"


@pytest.mark.parametrize("pattern", ["pytorch", "*/pytorch", "pytorch/", "a/b/c"])
def test_bad_include_pattern_names_the_file_and_key(tmp_path: Path, pattern: str) -> None:
    config = write(tmp_path / "tracker.toml", f'{MINIMAL}\n[repos]\ninclude = ["{pattern}"]\n')

    assert load_error(config) == f"{config}: repos.include: {pattern!r} is not owner/name or owner/*"


def test_unknown_digest_timezone_names_the_file_and_key(tmp_path: Path) -> None:
    config = write(tmp_path / "tracker.toml", f'{MINIMAL}\n[digest]\ntimezone = "Mars/Olympus_Mons"\n')

    assert load_error(config) == f"{config}: digest.timezone: unknown time zone 'Mars/Olympus_Mons'"


def test_known_digest_timezone_is_accepted(tmp_path: Path) -> None:
    config = write(tmp_path / "tracker.toml", f'{MINIMAL}\n[digest]\ntimezone = "Europe/Berlin"\n{REPOS}')

    assert load_settings(config, environ={}).digest.timezone == "Europe/Berlin"


@pytest.mark.parametrize(
    ("written", "cap"),
    [
        ("", 300.0),
        ("42", 42.0),
        ("0", 0.0),
        ('"90"', 90.0),
        ("inf", 300.0),
        ("nan", 300.0),
        ("-5", 300.0),
        ('"lots"', 300.0),
        ("true", 300.0),
        ("[1]", 300.0),
    ],
)
def test_the_slack_wait_cap_is_a_finite_number_of_seconds_or_the_default(
    tmp_path: Path, written: str, cap: float
) -> None:
    key = f"max_wait_seconds = {written}" if written else ""
    config = write(tmp_path / "tracker.toml", f"{MINIMAL}\n[slack]\n{key}\n{REPOS}")

    assert load_settings(config, environ={}).slack.max_wait_seconds == cap


def test_unknown_schedule_timezone_names_the_file_and_key(tmp_path: Path) -> None:
    config = write(
        tmp_path / "tracker.toml", f'{MINIMAL}\n[schedule]\ntimezone = "Mars/Olympus_Mons"\n{REPOS}'
    )

    assert load_error(config) == f"{config}: schedule.timezone: unknown time zone 'Mars/Olympus_Mons'"


@pytest.mark.parametrize(
    ("spec", "problem"),
    [
        ("every blue moon", "'every blue moon' is neither a 5-field crontab nor 'every N s|m|h|d'"),
        ("0 25 * * *", "'0 25 * * *': Error validating expression '25': the last value (25) is higher than"),
        ("every 0h", "'every 0h': the interval must be positive"),
    ],
)
def test_a_schedule_the_scheduler_cannot_read_names_the_file_and_key(
    tmp_path: Path, spec: str, problem: str
) -> None:
    config = write(tmp_path / "tracker.toml", f'{MINIMAL}\n[schedule]\ndigest = "{spec}"\n{REPOS}')

    with pytest.raises(ConfigError) as caught:
        load_settings(config, environ={}, parse_schedule=next_fire_time)

    assert str(caught.value).startswith(f"{config}: schedule.digest: {problem}")


def test_the_schedule_is_read_in_its_time_zone_and_an_empty_spec_turns_a_job_off(tmp_path: Path) -> None:
    config = write(
        tmp_path / "tracker.toml",
        f'{MINIMAL}\n[schedule]\ntimezone = "Europe/Berlin"\nsync = ""\ndigest = "0 9 * * MON"\n{REPOS}',
    )
    asked: list[tuple[str, str]] = []

    settings = load_settings(config, environ={}, parse_schedule=lambda *spec: asked.append(spec))

    assert asked == [("0 9 * * MON", "Europe/Berlin")]
    assert settings.schedule.sync == ""


def test_the_default_schedule_is_one_the_scheduler_reads(tmp_path: Path) -> None:
    config = write(tmp_path / "tracker.toml", MINIMAL + REPOS)

    settings = load_settings(config, environ={}, parse_schedule=next_fire_time)

    assert settings.schedule.sync and settings.schedule.digest


# --- logins are GitHub logins ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "login",
    [
        "fay author:someone-else",  # a search qualifier smuggled into a query
        "a" * 65,  # over every column's length
        "-fay",
        "fay/../x",
        "",
        "fay\n",
    ],
)
def test_a_roster_login_that_is_not_a_github_login_is_refused(tmp_path: Path, login: str) -> None:
    config, roster = _config_with_roster(tmp_path, f"[[member]]\nlogin = {login!r}\n".replace("'", '"'))

    assert load_error(config).startswith(f"{roster}: member[1].login: {login!r} is not a GitHub login")


def test_an_alias_that_is_not_a_github_login_is_refused(tmp_path: Path) -> None:
    config, roster = _config_with_roster(tmp_path, '[[member]]\nlogin = "fay"\naliases = ["fay is:pr"]\n')

    assert load_error(config).startswith(f"{roster}: member[1].aliases[1]: 'fay is:pr' is not a GitHub login")


def test_excluded_logins_and_the_org_are_github_logins(tmp_path: Path) -> None:
    config = write(tmp_path / "tracker.toml", '[github]\norg = "acme corp"\n[members]\nexclude = ["x y"]\n')

    assert load_error(config).splitlines() == [
        f"{config}: github.org: 'acme corp' is not a GitHub login ({LOGIN_RULE})",
        f"{config}: members.exclude[1]: 'x y' is not a GitHub login ({LOGIN_RULE})",
    ]


@pytest.mark.parametrize("login", ["fay", "Fay-Li", "a" * 39, "dependabot[bot]", "0xdead"])
def test_real_logins_and_app_bots_are_accepted(login: str) -> None:
    assert is_github_login(login)


def test_a_config_path_that_is_a_directory_is_one_clear_error(tmp_path: Path) -> None:
    assert load_error(tmp_path) == f"{tmp_path}: not a regular file"


def test_a_config_path_that_is_a_device_is_refused_without_reading_it() -> None:
    assert load_error(Path("/dev/zero")) == "/dev/zero: not a regular file"


def test_a_roster_path_that_is_a_directory_is_one_clear_error(tmp_path: Path) -> None:
    (tmp_path / "team").mkdir()
    config = write(tmp_path / "tracker.toml", f'{MINIMAL}\n[members]\nroster = "team"\n')

    assert load_error(config) == f"{tmp_path / 'team'}: not a regular file"


def test_a_huge_config_file_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "tracker.toml"
    config.write_bytes(b"#" * (5 * 1024 * 1024))

    assert load_error(config) == f"{config}: larger than 4096 KiB; is this the right file?"


def test_a_config_that_is_not_utf8_is_one_clear_error(tmp_path: Path) -> None:
    config = tmp_path / "tracker.toml"
    config.write_bytes(b'[github]\norg = "\xff"\n')

    assert load_error(config) == f"{config}: not UTF-8 text"


# --- a CSV roster ----------------------------------------------------------------------------------


def _csv_roster(tmp_path: Path, text: str | bytes) -> tuple[Path, Path]:
    roster = tmp_path / "team" / "roster.csv"
    roster.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, str):
        text = text.encode("utf-8")
    roster.write_bytes(text)
    config = write(tmp_path / "tracker.toml", f'{MINIMAL}\n[members]\nroster = "team/roster.csv"\n{REPOS}')
    return config, roster


def test_a_csv_roster_reads_like_the_toml_one(tmp_path: Path) -> None:
    config, _ = _csv_roster(
        tmp_path,
        "\ufefflogin,name,team,since,until,public,aliases\r\n"
        'fay,"Fay, Lead",Inference,2024-01-01,,true,fay-alt;fay-bot-free\r\n'
        "gus,,,,2026-10-29,false,\r\n",
    )

    roster = load_settings(config, environ={}).roster

    assert roster == (
        RosterEntry(
            "fay", "Fay, Lead", "Inference", ("fay-alt", "fay-bot-free"), date(2024, 1, 1), None, True
        ),
        RosterEntry("gus", None, None, (), None, date(2026, 10, 29), False),
    )


def test_a_csv_roster_may_have_only_some_columns_in_any_order(tmp_path: Path) -> None:
    config, _ = _csv_roster(tmp_path, "Team,LOGIN\nInference,fay\n")

    assert load_settings(config, environ={}).roster == (RosterEntry("fay", team="Inference"),)


def test_a_csv_roster_with_an_unknown_column_names_it(tmp_path: Path) -> None:
    config, roster = _csv_roster(tmp_path, "login,phone\nfay,555-0100\n")

    assert load_error(config) == (
        f"{roster}: line 1: unknown column 'phone'"
        " (columns: login, name, team, since, until, public, aliases, slack, email)"
    )


def test_a_roster_maps_slack_users_by_member_id_and_email(tmp_path: Path) -> None:
    config, _ = _csv_roster(tmp_path, "login,slack,email\nfay,U0123ABCD,\ngus,,Gus@Acme.example\n")

    assert load_settings(config, environ={}).roster == (
        RosterEntry("fay", slack="U0123ABCD"),
        RosterEntry("gus", email="Gus@Acme.example"),
    )


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        ("fay,<@U0123ABCD>,", "slack: String should match pattern"),
        ("fay,fay,", "slack: String should match pattern"),
        ("fay,,fay at acme", "email: String should match pattern"),
    ],
)
def test_a_slack_member_id_or_email_that_is_not_one_names_the_line(
    tmp_path: Path, row: str, problem: str
) -> None:
    config, roster = _csv_roster(tmp_path, f"login,slack,email\n{row}\n")

    assert load_error(config).startswith(f"{roster}: line 2: {problem}")


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ("fay,U0123ABCD,\ngus,U0123ABCD,", "roster slack 'U0123ABCD' appears twice (also under 'fay')"),
        ("fay,,f@acme.example\ngus,,F@ACME.example", "roster email 'F@ACME.example' appears twice"),
    ],
)
def test_one_slack_user_maps_to_one_person(tmp_path: Path, rows: str, message: str) -> None:
    """Two people with one Slack identity: the bot could answer one with the other's numbers."""
    config, roster = _csv_roster(tmp_path, f"login,slack,email\n{rows}\n")

    assert load_error(config).startswith(f"{roster}: {message}")


def test_a_csv_roster_without_a_login_column_is_refused(tmp_path: Path) -> None:
    config, roster = _csv_roster(tmp_path, "name,team\nFay,Inference\n")

    assert load_error(config).startswith(f"{roster}: line 1: no login column")


def test_a_bad_date_in_a_csv_roster_names_the_line_and_column(tmp_path: Path) -> None:
    config, roster = _csv_roster(tmp_path, "login,since\nfay,2026-01-01\ngus,2026-13-01\n")

    message = load_error(config)

    assert message.startswith(f"{roster}: line 3: since: Input should be a valid date")


def test_a_csv_row_with_more_fields_than_columns_names_the_line(tmp_path: Path) -> None:
    config, roster = _csv_roster(tmp_path, "login,team\nfay,Inference,extra\n")

    assert load_error(config) == f"{roster}: line 2: more fields than columns"


def test_a_duplicate_login_in_a_csv_roster_is_refused(tmp_path: Path) -> None:
    config, roster = _csv_roster(tmp_path, "login,aliases\nfay,\ngus,FAY\n")

    assert load_error(config) == f"{roster}: roster login 'FAY' appears twice (also under 'fay')"


def test_a_bad_login_in_a_csv_roster_names_the_line(tmp_path: Path) -> None:
    config, roster = _csv_roster(tmp_path, "login\nfay is:pr\n")

    assert load_error(config).startswith(f"{roster}: line 2: login: 'fay is:pr' is not a GitHub login")


def test_the_shipped_csv_roster_example_loads(tmp_path: Path) -> None:
    example = Path(__file__).resolve().parents[2] / "config" / "roster.example.csv"
    config, _ = _csv_roster(tmp_path, example.read_bytes())

    assert [entry.login for entry in load_settings(config, environ={}).roster] == ["fay", "gus"]


# --- database URLs -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("mysql://root@db/tracker", "mysql databases are not supported"),
        ("postgresql+psycopg2://u@db/t", "the psycopg2 driver is not installed"),
        ("tracker.db", "'tracker.db' is not a database URL"),
        ("postgres://u:hunter2@db/t", "write postgresql:// (or postgresql+psycopg://), not postgres://"),
    ],
)
def test_a_database_url_the_tracker_cannot_use_is_named_with_its_key(
    tmp_path: Path, url: str, expected: str
) -> None:
    config = write(tmp_path / "tracker.toml", f'{MINIMAL}\n[database]\nurl = "{url}"\n')

    message = load_error(config)

    assert message.startswith(f"{config}: database.url: {expected}")
    assert "sqlite:///PATH or postgresql+psycopg://" in message
    assert "hunter2" not in message


def test_a_bare_file_name_gets_the_sqlite_url_to_write(tmp_path: Path) -> None:
    config = write(tmp_path / "tracker.toml", f'{MINIMAL}\n[database]\nurl = "tracker.db"\n')

    assert load_error(config).endswith("; for a SQLite file write sqlite:///tracker.db")


def test_a_bad_database_url_from_the_environment_names_the_variable(tmp_path: Path) -> None:
    config = write(tmp_path / "tracker.toml", MINIMAL)

    with pytest.raises(ConfigError) as caught:
        load_settings(config, environ={"TRACKER_DATABASE_URL": "mysql://root:secret@db/x"})

    assert str(caught.value).startswith("TRACKER_DATABASE_URL: mysql databases are not supported")
    assert "secret" not in str(caught.value)


@pytest.mark.parametrize(
    "url", ["sqlite:///tracker.db", "postgresql://u@db/t", "postgresql+psycopg://u@db/t", "sqlite://"]
)
def test_supported_database_urls_are_accepted(tmp_path: Path, url: str) -> None:
    config = write(tmp_path / "tracker.toml", f'{MINIMAL}\n[database]\nurl = "{url}"\n')

    assert load_settings(config, environ={}).database_url.split("://")[0] == url.split("://")[0]


# --- the GitHub API URL: the token travels only encrypted, or stays on this machine ----------------


@pytest.mark.parametrize(
    "url",
    [
        "https://api.github.com",
        "https://ghe.example.com/api/v3/",
        "http://127.0.0.1:8080",
        "http://127.8.9.10:8080/api/v3",
        "http://[::1]:8080",
        "http://localhost:8080",
        "HTTP://LOCALHOST",
    ],
)
def test_https_or_a_loopback_api_url_is_accepted(tmp_path: Path, url: str) -> None:
    config = write(tmp_path / "tracker.toml", f'[github]\norg = "acme"\napi_url = "{url}"\n{REPOS}')

    assert load_settings(config, environ={}).api_url == url.rstrip("/")
    assert load_settings(write(tmp_path / "min.toml", MINIMAL + REPOS), {"GITHUB_API_URL": url}).api_url == (
        url.rstrip("/")
    )


IN_CLEAR = "must use https:// (plain http:// is only for this machine: localhost, 127.0.0.1, ::1)"
NOT_A_URL = "is not an https:// URL with a host"


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://api.github.com", IN_CLEAR),
        ("http://ghe.example.com/api/v3", IN_CLEAR),
        ("http://10.0.0.7:8080", IN_CLEAR),
        ("http://localhost.evil.example", IN_CLEAR),
        ("ftp://api.github.com", NOT_A_URL),
        ("api.github.com", NOT_A_URL),
        ("https://", NOT_A_URL),
        ("https://api.github.com:port", NOT_A_URL),
    ],
)
def test_an_api_url_that_would_send_the_token_in_clear_is_refused_naming_the_key(
    tmp_path: Path, url: str, problem: str
) -> None:
    config = write(tmp_path / "tracker.toml", f'[github]\norg = "acme"\napi_url = "{url}"\n{REPOS}')

    assert load_error(config) == f"{config}: github.api_url: {url!r} {problem}"


def test_a_github_api_url_variable_in_clear_is_refused_naming_the_variable(tmp_path: Path) -> None:
    config = write(tmp_path / "tracker.toml", MINIMAL + REPOS)

    with pytest.raises(ConfigError) as caught:
        load_settings(config, environ={"GITHUB_API_URL": "http://proxy.corp.example:3128/api/v3"})

    assert str(caught.value) == f"GITHUB_API_URL: 'http://proxy.corp.example:3128/api/v3' {IN_CLEAR}"


def test_the_rate_limit_wait_cap_is_an_hour_unless_set(tmp_path: Path) -> None:
    default = write(tmp_path / "default.toml", MINIMAL + REPOS)
    set_ = write(tmp_path / "set.toml", '[github]\norg = "acme"\nmax_wait_minutes = 15\n' + REPOS)

    assert load_settings(default, environ={}).max_wait_seconds == 3600.0
    assert load_settings(set_, environ={}).max_wait_seconds == 900.0


@pytest.mark.parametrize("value", ["0", "-5", "1441", '"inf"', "1e400"])
def test_a_rate_limit_wait_cap_that_is_no_number_of_minutes_is_refused_naming_the_key(
    tmp_path: Path, value: str
) -> None:
    config = write(tmp_path / "tracker.toml", f'[github]\norg = "acme"\nmax_wait_minutes = {value}\n{REPOS}')

    assert load_error(config).startswith(f"{config}: github.max_wait_minutes: ")


def test_reviews_go_through_graphql_unless_the_operator_says_otherwise(tmp_path: Path) -> None:
    default = load_settings(write(tmp_path / "default.toml", MINIMAL), environ={})
    rest_only = load_settings(
        write(tmp_path / "rest.toml", f"{MINIMAL}\n[sync]\ngraphql = false\n"), environ={}
    )

    assert (default.graphql, rest_only.graphql) == (True, False)
    wrong = write(tmp_path / "wrong.toml", f'{MINIMAL}\n[sync]\ngraphql = "sometimes"\n')
    assert load_error(wrong).startswith(f"{wrong}: sync.graphql: ")
