"""Structured parsing on plain text: sections without bold, two languages, dates, skills."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from jobswap.resumes.parsing import entries, parse_resume
from jobswap.resumes.parsing.dates import find_ranges, join_split_ranges
from jobswap.resumes.parsing.sections import SectionKind, heading_kind

TODAY = datetime(2026, 11, 1, tzinfo=UTC)

ENGLISH = """Jane Q. Doe
Oakland, CA 94607
jane.doe@example.com | (415) 555-0132 | linkedin.com/in/janedoe | https://github.com/janedoe

Summary
Data engineer with eight years of experience building pipelines.

Work Experience
Senior Data Engineer
Acme Analytics Inc - Oakland, CA
Jan 2019 - Present
- Built streaming pipelines in Python and Kafka.
Data Engineer
Globex Corporation
Jun 2015 - Dec 2018
- Maintained a Postgres warehouse.

Education
Bachelor of Science in Computer Science
University of California, Berkeley 2015

Skills
JS, Postgres, K8s, Docker, R, Excel
"""

SPANISH = """María Fernández López
Madrid, España
maria.fernandez@example.es
+34 612 345 678

PERFIL PROFESIONAL
Contadora con experiencia en auditoría y cierre contable.

EXPERIENCIA LABORAL
Contadora Senior
Deloitte S.L. - Madrid
ene. 2018 - actualidad
Responsable del cierre mensual y de la conciliación bancaria con SAP.

Analista Contable
Banco Santander
mar. 2014 - dic. 2017

FORMACIÓN ACADÉMICA
Licenciatura en Administración y Dirección de Empresas
Universidad Complutense de Madrid, 2013

HABILIDADES
Microsoft Excel, SAP, SQL
"""


def test_english_resume() -> None:
    parsed = parse_resume(ENGLISH, today=TODAY)
    assert parsed.name == "Jane Q. Doe"
    assert parsed.emails == ["jane.doe@example.com"]
    assert parsed.phones == ["+14155550132"]
    assert {link.kind for link in parsed.links} == {"linkedin", "github"}
    assert parsed.location == "Oakland, CA 94607"
    assert parsed.summary == "Data engineer with eight years of experience building pipelines."
    first, second = parsed.experience
    assert (first.title, first.company, first.start, first.end) == (
        "Senior Data Engineer",
        "Acme Analytics Inc",
        "2019-01",
        "present",
    )
    assert (second.title, second.company, second.start, second.end) == (
        "Data Engineer",
        "Globex Corporation",
        "2015-06",
        "2018-12",
    )
    assert parsed.total_years_experience == 11.5  # Jun 2015 to Nov 2026 inclusive: 138 months
    [school] = parsed.education
    assert school.degree == "Bachelor of Science in Computer Science"
    assert school.field == "Computer Science"
    assert school.institution == "University of California"
    assert school.graduation_year == 2015
    for skill in (
        "JavaScript",
        "PostgreSQL",
        "Kubernetes",
        "Docker",
        "R",
        "Microsoft Excel",
        "Python",
        "Apache Kafka",
    ):
        assert skill in parsed.skills, skill
    assert parsed.language == "en"
    assert {"summary", "experience", "education", "skills"} <= set(parsed.sections)


def test_spanish_resume_without_bold_headings() -> None:
    parsed = parse_resume(SPANISH, today=TODAY)
    assert parsed.language == "es"
    assert parsed.name == "María Fernández López"
    assert parsed.phones == ["+34612345678"]
    assert parsed.summary is not None and parsed.summary.startswith("Contadora con experiencia")
    titles = [e.title for e in parsed.experience]
    assert titles == ["Contadora Senior", "Analista Contable"]
    assert parsed.experience[0].company == "Deloitte S.L."
    assert parsed.experience[0].start == "2018-01" and parsed.experience[0].end == "present"
    assert parsed.experience[1].end == "2017-12"
    [school] = parsed.education
    assert school.institution == "Universidad Complutense de Madrid"
    assert school.graduation_year == 2013
    assert school.degree is not None and school.degree.startswith("Licenciatura")
    assert {"Microsoft Excel", "SAP", "SQL"} <= set(parsed.skills)


def test_headings_are_recognised_by_words_not_style() -> None:
    assert heading_kind("WORK EXPERIENCE") is SectionKind.EXPERIENCE
    assert heading_kind("Professional Experience:") is SectionKind.EXPERIENCE
    assert heading_kind("2. Education") is SectionKind.EDUCATION
    assert heading_kind("Expérience professionnelle") is SectionKind.EXPERIENCE
    assert heading_kind("Berufserfahrung") is SectionKind.EXPERIENCE
    assert heading_kind("Formação Acadêmica") is SectionKind.EDUCATION
    assert heading_kind("SKILLS & TOOLS") is SectionKind.SKILLS
    assert heading_kind("I have experience in many fields.") is None
    assert heading_kind("Education is a passion of mine and I teach on weekends") is None


def test_date_ranges() -> None:
    cases = {
        "Jan 2019 - Present": ("2019-01", "present"),
        "03/2017 – 06/2019": ("2017-03", "2019-06"),
        "2015 to 2018": ("2015", "2018"),
        "September 2017 onwards": ("2017-09", "present"),
        "ene. 2020 - actualidad": ("2020-01", "present"),
        "mars 2018 à juin 2020": ("2018-03", "2020-06"),
        "seit 2021": ("2021", "present"),
        "outubro de 2016 até o momento": ("2016-10", "present"),
        # an intern's term is that term's months
        "Summer 2009": ("2009-06", "2009-08"),
        "Fall 2012 - Spring 2014": ("2012-09", "2014-05"),
        # two months of one year, the year written once
        "January-June 2009": ("2009-01", "2009-06"),
        "Jan — Aug 2011": ("2011-01", "2011-08"),
        "Nov - Feb 2012": ("2011-11", "2012-02"),
        # two years whose dash the PDF dropped
        "20132015": ("2013", "2015"),
        "2016present": ("2016", "present"),
        "2010\u2010current": ("2010", "present"),  # a Unicode hyphen
        "(April 2002 - until today)": ("2002-04", "present"),
        "(8/01 to Present)": ("2001-08", "present"),
    }
    for text, expected in cases.items():
        found = find_ranges(text)
        assert found and (found[0].start, found[0].end) == expected, text
    # a lower-case month before "to" is prose; eight digits out of order are a number
    assert [(r.start, r.end) for r in find_ranges("worked march to June 2009")] == [("2009-06", None)]
    assert find_ranges("order 20152013") == []
    # a season word in a sentence is no term
    assert [(r.start, r.end) for r in find_ranges("prices fall 2010 to 2011 levels")] == [("2010", "2011")]


def test_a_range_broken_over_two_lines_is_joined() -> None:
    """PDFs that lose the dash between two dates, and put the end on the next line."""
    cases = {
        "06/2013\nPresent\nIndustry": "06/2013 - Present\nIndustry",
        "Drupal Developer, December 2013\nFebruary 2014": "Drupal Developer, December 2013 - February 2014",
        "Paralegal (2013\npresent)": "Paralegal (2013 - present)",
        "Jun 2013\nPresent: Manager": "Jun 2013 - Present: Manager",
        "Manager, 2013\nPresent duties include": "Manager, 2013\nPresent duties include",
        # a list of years, newest first, and a range already whole, stay as they are
        "Grants\n2014\n2013": "Grants\n2014\n2013",
        # the separator on a line of its own
        "August 2002\nto\nJune 2004\nClerk": "August 2002 - June 2004\nClerk",
        "2014\n-\n2013": "2014\n-\n2013",
        "2010 - 2012\nPresent": "2010 - 2012\nPresent",
    }
    for text, expected in cases.items():
        assert join_split_ranges(text) == expected, text
    resume = parse_resume(
        "Ana Ortiz\nParalegal\nEXPERIENCE\nSessums Black Caballero\nTampa, Florida\nParalegal (2013\n"
        "present)\n06/2009\n05/2013\nThe Product Engine, Inc.\nJunior Android Developer\n"
    )
    found = [(e.title, e.start, e.end) for e in resume.experience]
    assert found == [("Paralegal", "2013", "present"), ("Junior Android Developer", "2009-06", "2013-05")]


def test_an_undated_title_company_place_line_is_an_entry() -> None:
    resume = parse_resume(
        "Kate Jones\nWORK EXPERIENCE\nSummer Intern, Initech Inc — Chicago\n"
        "Rated truly distinctive for analytical skills.\n"
    )
    found = [(e.title, e.company, e.location) for e in resume.experience]
    assert found == [("Summer Intern", "Initech Inc", "Chicago")]


def test_jobs_that_a_layout_left_under_another_heading_are_found() -> None:
    """Two-column templates mix their columns: here the job sits under "PERSONAL SKILLS"."""
    resume = parse_resume(
        "Lakita Mertz\nData analyst\nWORK EXPERIENCE\nDatabase marketing\nData analysis\n"
        "PERSONAL SKILLS\nAnalytical\nConsumer Energy Provider\nCoventry\nDATA ANALYST\n"
        "June 2008 - Present\nCollecting, collating and carrying out complex data analysis.\n"
    )
    assert [(e.title, e.start, e.end) for e in resume.experience] == [("DATA ANALYST", "2008-06", "present")]


def test_headings_that_real_resumes_use() -> None:
    """Layouts from the annotated resumes, each on its exact strings."""
    resume = parse_resume(
        "Dewitt Windler\nEXPERIENCE\nSEATTLE ANTI-FREEZE\nSeattle, WA\nFounder and Co-CEO\n2007-Present\n"
        "Founded SAF.\nKEENSCREEN\nSeattle, WA\nVice President of Engineering\n2008-2009\nLed things.\n"
        "GOOGLE\nKirkland, WA\nSoftware Engineer\n2005-2008\nBuilt Talk.\n"
        "AMERICAN MEDIA INC. (AMI), New York, NY\n2014\nSoftware Architect/Engineer\nA consulting contract.\n"
    )
    found = [(e.title, e.company, e.start, e.end) for e in resume.experience]
    assert found == [
        ("Founder and Co-CEO", "SEATTLE ANTI-FREEZE", "2007", "present"),
        ("Vice President of Engineering", "KEENSCREEN", "2008", "2009"),
        ("Software Engineer", "GOOGLE", "2005", "2008"),  # a one-word maker of a skill, alone on its line
        ("Software Architect/Engineer", "AMERICAN MEDIA INC.", "2014", "2014"),  # one year alone on a line
    ]
    teacher = parse_resume(
        "Ann Lee\nTEACHING EXPERIENCE\nKennedy High School, Granada Hills, CA\nStudent Teacher\n"
        "January-June 2009\nTaught history.\n"
    )
    assert [(e.title, e.start, e.end) for e in teacher.experience] == [
        ("Student Teacher", "2009-01", "2009-06")
    ]


def test_academic_positions_and_a_heading_glued_to_its_first_line() -> None:
    cv = parse_resume(
        "Wade Lemke\nEducation\nPh.D. August 1991 Political Science\nUniversity of Southern California\n"
        "Tenure-line Academic Positions\n1999 to present: Professor of Political Science,\n"
        "California State University Northridge\n"
        "PROJECT MANAGER (8/98 - 1/99) Company Net, Internet Development Team\n"
    )
    found = [(e.title, e.start, e.end) for e in cv.experience]
    assert found == [
        ("Professor of Political Science", "1999", "present"),
        ("PROJECT MANAGER", "1998-08", "1999-01"),  # months with two-digit years
    ]
    glued = parse_resume(
        "Ira Buckridge\nWork Experience Carnegie Mellon University\nPostdoctoral Scientist\n"
        "Pittsburgh, PA\n2010 - Present\nDeveloped new online learning techniques.\n"
    )
    assert [(e.title, e.company) for e in glued.experience] == [
        ("Postdoctoral Scientist", "Carnegie Mellon University")
    ]


def test_jobs_left_under_another_heading_beside_dated_jobs() -> None:
    """With dated jobs found, another section's entry counts only beyond doubt: an O*NET title,
    an employer and a range of time."""
    resume = parse_resume(
        "Amy Tan\nEmployment History\nWaitress, Cafe Rio\n2010 - 2012\nServed tables.\n"
        "Achievements\n2008-2009\nDavid Jones, Melbourne\nPosition: Sales Assistant (casual)\n"
        "Responsibilities\nEmployee of the Month, 2009\n"
    )
    found = [(e.title, e.company, e.start, e.end) for e in resume.experience]
    assert found == [
        ("Waitress", "Cafe Rio", "2010", "2012"),
        ("Sales Assistant", "David Jones", "2008", "2009"),
    ]


def test_partners_names_are_a_firm_and_a_slash_parts_title_and_employer() -> None:
    resume = parse_resume(
        "Penney Waters\nEXPERIENCE\nMcDonald & Shearer, PA\nLakeland, Florida\n"
        "Paralegal/Bookkeeper/Office Manager (1999 - 2004)\nSoftware developer / FXHome, Royaume-Uni\n"
        "Jun 2009 - Sep 2009\n"
    )
    found = [(e.title, e.company) for e in resume.experience]
    assert found == [
        ("Paralegal/Bookkeeper/Office Manager", "McDonald & Shearer"),
        ("Software developer", "FXHome"),
    ]
    assert entries.title_score("Teacher & Coach") >= 0.6
    assert entries.header_pieces("Cohen, Jayson & Foster, PA") == ["Cohen, Jayson & Foster", "PA"]
    firm = parse_resume(
        "Penney Waters\nEXPERIENCE\nHunter, Naser, Corda & Evans\nLakeland, Florida\n"
        "Receptionist/Legal Secretary (1987 - 1988)\n"
    )
    # the dates' own line gives the title before a partner whose name is also a trade
    assert [(e.title, e.company) for e in firm.experience] == [
        ("Receptionist/Legal Secretary", "Hunter, Naser, Corda & Evans")
    ]
    # a heading line written as a sentence: its full stop is no part of the employer's name
    assert entries.header_pieces("Systems Programmer, MIT Media Lab.") == [
        "Systems Programmer",
        "MIT Media Lab",
    ]
    assert entries.header_pieces("Manager, Acme Co.") == ["Manager", "Acme Co."]


def test_a_title_after_what_the_company_does_leaves_the_description() -> None:
    resume = parse_resume(
        "Bo Lind\nEXPERIENCE\nLEANDER CORPORATION, Boston, MA\n2000 to Present\n"
        "World leader in analytical instrumentation serving energy and pharmaceutical industries.\n"
        "Vice President of International Sales\nOversee 60+ representatives internationally.\n"
    )
    [job] = resume.experience
    assert (job.title, job.company) == ("Vice President of International Sales", "LEANDER CORPORATION")
    short = parse_resume(
        "Al Roe\nEXPERIENCE\nCOMPANY, INC., City, ST\n2007-Present\n"
        "Female-owned small business specializing in power backup solutions.\nVice President, Sales\n"
        "Precipitated a jump in annual revenues.\n"
    )
    assert [e.title for e in short.experience] == ["Vice President, Sales"]
    assert job.description is not None and "Vice President" not in job.description


def test_an_undated_entry_beside_dated_ones() -> None:
    """A title and its employer with no dates, in a section whose other jobs have them: the title
    counts, the employer only with a word that vouches for it."""
    resume = parse_resume(
        "Ana Cruz\nEXPERIENCE\nMiami Dade College\nEnglish Teacher\n2014 - 2016\nTaught.\n"
        "Teach for America Inc.\nEnglish Teacher Fellow\nDesigned and implemented lesson plans.\n"
        "Quantum Strides\nAndroid Instructor\n"
    )
    found = [(e.title, e.company, e.start) for e in resume.experience]
    assert found == [
        ("English Teacher", "Miami Dade College", "2014"),
        ("English Teacher Fellow", "Teach for America Inc.", None),
        ("Android Instructor", None, None),
    ]


def test_titles_held_at_once_on_one_line_are_one_title() -> None:
    resume = parse_resume(
        "Lee Park\nPROFESSIONAL EXPERIENCE\nRoberts One on One, Malvern, PA\n"
        "Personal Trainer, Nutritionist, March 2011 - Present\nCreated a group fitness class.\n"
    )
    [job] = resume.experience
    assert (job.title, job.company, job.start) == (
        "Personal Trainer, Nutritionist",
        "Roberts One on One",
        "2011-03",
    )


def test_titles_held_at_once_keep_how_the_line_writes_them() -> None:
    resume = parse_resume(
        "Kim Ode\nEXPERIENCE\nLogistics Coordinator / Sr. Lab technician 10/2006 to 11/2007\nShipped parts.\n"
        "IVORY SYSTEMS -- Drupal Architect/Developer (consultant at Kyocera), October 2012 - February 2013\n"
    )
    titles = [e.title for e in resume.experience]
    assert titles[0] == "Logistics Coordinator / Sr. Lab technician"
    assert "consultant" not in (titles[1] or "")  # a title in brackets with "at" is no second title


def test_a_colon_parts_a_title_from_its_employer() -> None:
    resume = parse_resume(
        "Jo Green\nEXPERIENCE\n2009-2011\nTeacher Assistant and Integration Aide: Smithville Primary School\n"
        "Supported a group of four children.\n"
    )
    found = [(e.title, e.company) for e in resume.experience]
    assert found == [("Teacher Assistant and Integration Aide", "Smithville Primary School")]


def test_an_employer_and_its_country_and_clients_are_told_apart() -> None:
    resume = parse_resume(
        "Ravi Rao\nEmployment History\nDefect Manager, QA\nCapgemini, Canada\nClient: BC Hydro\n"
        "January 2012 - November 2012\nDescription\nTested billing.\n"
    )
    [job] = resume.experience
    assert (job.title, job.company, job.location) == ("Defect Manager", "Capgemini", "Canada")


@pytest.mark.parametrize(
    ("piece", "title", "company"),
    [
        ("Department of Corrections", False, False),
        ("Professional Memberships", False, False),
        ("Membership in Professional Associations", False, False),
        ("Employee #123456", False, False),
        ("US Air Force", False, None),
        ("Business", False, False),  # a word of job titles, not an employer
        ("Developed and instructed unit plans over solar systems", False, False),
        ("Architected distributed network services including TCP/IP", False, False),
        ("Chicago IL", False, False),
        ("United Kingdom National Literacy Trust", False, True),
        ("Delivered Google Assistant", False, False),  # a bullet's verb opens no employer's name
        ("Duties", False, False),
        ("Chef", True, None),  # also a tool's name
        ("Infosys", False, True),
        ("President of the Debate Club", False, None),
        ("Head of Sales and Marketing", True, None),
    ],
)
def test_what_reads_as_a_title_or_an_employer(piece: str, title: bool, company: bool | None) -> None:
    assert (entries.title_score(piece) >= 0.6) is title
    if company is not None:
        assert (entries._company_score(piece) >= 0.5) is company


def test_hostile_and_empty_text_does_not_break_parsing() -> None:
    assert parse_resume("").name is None
    parse_resume("a" * 300_000)  # longer than any resume: truncated, not slow
    parse_resume("\u202e\u0000" * 1000 + "(((((" * 2000 + "2019-" * 5000)
    long_line = "Jan 2019 - " * 20_000
    parse_resume(long_line)
