"""The mineral reference as the seeds give it, loaded by migration 0002.

Every figure and sentence below is taken from seeds/003 (the NAM's comments to
USTR, March 19, 2026), with the publication that letter cites for it. Where
the seeds say nothing about a mineral's import reliance, sources or China's
role, there is no fact: the page says "not given" rather than a guess. Staff
add more later, each fact with its source (see services.fact_add).

Plain data, no models: the migration and the tests both read it.
"""

from __future__ import annotations

import datetime

LETTER = "NAM comments to USTR on a plurilateral agreement on trade in critical minerals (USTR-2026-03868)"
LETTER_DATE = datetime.date(2026, 3, 19)

# The publications the letter cites, as it cites them (with its note number).
MCS_ANNEX = 'U.S. Geological Survey, "Mineral Commodity Summaries 2026," March 2026 (annex, note 41)'
MCS_100 = 'U.S. Geological Survey, "Mineral Commodity Summaries 2026," March 2026 (note 35)'
MCS_SHARE = 'U.S. Geological Survey, "2026 USGS Mineral Commodity Summaries," February 2026 (note 37)'
MCS_NORTH_AMERICA = 'U.S. Geological Survey, "2026 USGS Mineral Commodity Summaries," February 2026 (note 33)'
NAM_232 = 'National Association of Manufacturers, "NAM Comments on Section 232 Critical Minerals Investigation," May 16, 2025 (note 40)'
CLARK_HILL = 'Clark Hill, "China Hits Pause on Rare-Earth Export Controls and What it Means for Supply Chains," Nov. 24, 2025 (note 39)'
OECD_EXPORT = 'OECD, "OECD Inventory of Export Restrictions on Industrial Raw Materials 2025," May 2025 (note 21)'

# name, slug, symbol, group, unit, on the 2025 USGS list, uses
MINERALS: list[tuple[str, str, str, str, str, bool, str]] = [
    (
        "Aluminum",
        "aluminum",
        "Al",
        "base-alloying",
        "t",
        True,
        "Structural airframe material for aircraft, military and combat vehicles; naval vessels, missile structures and armor; an electrical conductor. Ultra-pure grade is required by the defense industrial base.",
    ),
    (
        "Antimony",
        "antimony",
        "Sb",
        "semiconductor",
        "t",
        True,
        "Tungsten steel and hardened lead bullets; night vision goggles, infrared sensors and precision optics; flame retardants, glass and rubber products.",
    ),
    ("Arsenic", "arsenic", "As", "semiconductor", "t", True, ""),
    (
        "Barite",
        "barite",
        "",
        "industrial",
        "t",
        True,
        "A contrast agent that enhances the quality of MRI and X-ray images.",
    ),
    (
        "Bismuth",
        "bismuth",
        "Bi",
        "semiconductor",
        "t",
        True,
        "Over-the-counter stomach remedies and burn treatments; the lead-free alternative in water infrastructure (pipe fittings, water meters, fixtures); cosmetic, industrial and laboratory uses.",
    ),
    (
        "Cerium",
        "cerium",
        "Ce",
        "rare-earths",
        "t",
        True,
        "Permanent magnets for defense platforms: guidance systems, sensors and communication technologies.",
    ),
    ("Cesium", "cesium", "Cs", "alkali", "kg", True, ""),
    (
        "Chromium",
        "chromium",
        "Cr",
        "base-alloying",
        "t",
        True,
        "An essential alloying element for domestic aluminum production.",
    ),
    (
        "Cobalt",
        "cobalt",
        "Co",
        "base-alloying",
        "t",
        True,
        "Lithium-ion batteries for smartphones, laptops and vehicles; aircraft gas turbine engines, including military aircraft.",
    ),
    (
        "Copper",
        "copper",
        "Cu",
        "base-alloying",
        "t",
        True,
        "Electrical and thermal conductivity: power transmission and distribution, transformers, data centers, aerospace, industrial machinery, electronics, automotive and medical uses.",
    ),
    ("Erbium", "erbium", "Er", "rare-earths", "kg", True, "Specialized, high-conductivity applications."),
    ("Europium", "europium", "Eu", "rare-earths", "kg", True, "Specialized, high-conductivity applications."),
    ("Fluorspar", "fluorspar", "", "industrial", "t", True, ""),
    (
        "Gadolinium",
        "gadolinium",
        "Gd",
        "rare-earths",
        "kg",
        True,
        "A contrast agent that enhances the quality of MRI and X-ray images.",
    ),
    (
        "Gallium",
        "gallium",
        "Ga",
        "semiconductor",
        "kg",
        True,
        "About 95% of gallium makes gallium arsenide (GaAs) and gallium nitride (GaN) for semiconductors: 5G, wireless and satellite communication, radars.",
    ),
    (
        "Germanium",
        "germanium",
        "Ge",
        "semiconductor",
        "kg",
        True,
        "Germanium tetrachloride for the optical fiber of U.S. telecommunications networks; transistors, high-frequency electronics and diodes.",
    ),
    (
        "Graphite",
        "graphite",
        "C",
        "industrial",
        "t",
        True,
        "Battery anodes (essentially the entire anode side of lithium-ion batteries), fuel cells and stationary storage; brake linings, clutch materials, gaskets and seals; aircraft, missiles and rockets.",
    ),
    ("Indium", "indium", "In", "semiconductor", "kg", True, ""),
    (
        "Lanthanum",
        "lanthanum",
        "La",
        "rare-earths",
        "kg",
        True,
        "Specialized, high-conductivity applications; a medicine for end stage kidney disease.",
    ),
    ("Lead", "lead", "Pb", "base-alloying", "t", True, ""),
    (
        "Lithium",
        "lithium",
        "Li",
        "alkali",
        "t",
        True,
        "Batteries for EVs, laptops, smartphones and energy grid storage; dehumidification, thickening agents, greases and smelting; alloys in aerospace; a medicine for bipolar disorder.",
    ),
    ("Lutetium", "lutetium", "Lu", "rare-earths", "kg", True, "Radioactive isotopes in radioligand cancer therapies."),
    (
        "Magnesium",
        "magnesium",
        "Mg",
        "base-alloying",
        "t",
        True,
        "An essential alloying element for domestic aluminum production.",
    ),
    (
        "Manganese",
        "manganese",
        "Mn",
        "base-alloying",
        "t",
        True,
        "An essential alloying element for domestic aluminum production.",
    ),
    (
        "Molybdenum",
        "molybdenum",
        "Mo",
        "base-alloying",
        "t",
        False,
        "Steel alloys, rocket nozzles, jet engines and structural materials; conductive materials including solar cells.",
    ),
    (
        "Neodymium",
        "neodymium",
        "Nd",
        "rare-earths",
        "t",
        True,
        "Permanent magnets for defense platforms, robotics and vehicles; magnets in MRI machines.",
    ),
    (
        "Nickel",
        "nickel",
        "Ni",
        "base-alloying",
        "t",
        True,
        "An essential alloying element for domestic aluminum production.",
    ),
    ("Niobium", "niobium", "Nb", "base-alloying", "t", True, ""),
    ("Palladium", "palladium", "Pd", "platinum-group", "ozt", True, ""),
    ("Phosphate", "phosphate", "", "industrial", "t", True, ""),
    ("Platinum", "platinum", "Pt", "platinum-group", "ozt", True, ""),
    ("Potash", "potash", "", "industrial", "t", True, ""),
    (
        "Praseodymium",
        "praseodymium",
        "Pr",
        "rare-earths",
        "t",
        True,
        "Permanent magnets for defense platforms: guidance systems, sensors and communication technologies.",
    ),
    ("Rubidium", "rubidium", "Rb", "alkali", "kg", True, ""),
    (
        "Samarium",
        "samarium",
        "Sm",
        "rare-earths",
        "kg",
        True,
        "Permanent magnets for defense platforms; a medicine for bone pain.",
    ),
    (
        "Scandium",
        "scandium",
        "Sc",
        "rare-earths",
        "kg",
        True,
        "Permanent magnets for defense platforms: guidance systems, sensors and communication technologies.",
    ),
    (
        "Silicon",
        "silicon",
        "Si",
        "semiconductor",
        "t",
        True,
        "An essential alloying element for domestic aluminum production.",
    ),
    ("Silver", "silver", "Ag", "precious", "ozt", True, ""),
    ("Tantalum", "tantalum", "Ta", "base-alloying", "t", True, ""),
    ("Tellurium", "tellurium", "Te", "semiconductor", "kg", True, ""),
    ("Tin", "tin", "Sn", "base-alloying", "t", True, ""),
    (
        "Titanium",
        "titanium",
        "Ti",
        "base-alloying",
        "t",
        True,
        "Military and commercial aircraft frames, jet engines, helicopters, missiles, naval vessels, satellites; titanium sponge for metals and alloys; orthopedic and dental implants.",
    ),
    (
        "Tungsten",
        "tungsten",
        "W",
        "base-alloying",
        "t",
        True,
        "Semiconductor fabrication and electron tubes; hard tools for machining, drilling and cutting; rocket nozzles, turbine blades and superalloys; military-grade steel, munitions and armor.",
    ),
    ("Vanadium", "vanadium", "V", "base-alloying", "t", True, ""),
    (
        "Ytterbium",
        "ytterbium",
        "Yb",
        "rare-earths",
        "kg",
        True,
        "Radioactive isotopes in radioligand cancer therapies.",
    ),
    (
        "Yttrium",
        "yttrium",
        "Y",
        "rare-earths",
        "t",
        True,
        "Commercial and military jet engines, turbine blades and thermal barrier coatings; permanent magnets; orthopedic and dental implants.",
    ),
    (
        "Zinc",
        "zinc",
        "Zn",
        "base-alloying",
        "t",
        True,
        "An essential alloying element for domestic aluminum production.",
    ),
]

# slug, kind, percent, end use, text, the publication the letter cites ("" where the letter says it itself)
FACTS: list[tuple[str, str, int | None, str, str, str]] = [
    # Import reliance: the annex's evaluations (MCS 2026 as the annex cites it)
    ("lithium", "import-reliance", 50, "", "U.S. net import reliance of 50%.", MCS_ANNEX),
    ("cobalt", "import-reliance", 79, "", "U.S. net import reliance of 79%.", MCS_ANNEX),
    ("graphite", "import-reliance", 100, "", "U.S. net import reliance of 100%.", MCS_ANNEX),
    ("copper", "import-reliance", 57, "", "U.S. net import reliance of 57%.", MCS_ANNEX),
    ("germanium", "import-reliance", 50, "", "U.S. net import reliance of 50%.", MCS_ANNEX),
    ("antimony", "import-reliance", 91, "", "U.S. net import reliance of 91%.", MCS_ANNEX),
    (
        "aluminum",
        "import-reliance",
        60,
        "",
        "U.S. net import reliance of 60%; 100% net-import reliant on ultra-pure aluminum, from Germany and China.",
        MCS_ANNEX,
    ),
    ("titanium", "import-reliance", 100, "", "U.S. net import reliance of 100% for titanium sponge.", MCS_ANNEX),
    ("yttrium", "import-reliance", 100, "", "U.S. net import reliance of 100%.", MCS_ANNEX),
    ("gallium", "import-reliance", 100, "", "U.S. net import reliance of 100%.", MCS_ANNEX),
    ("tungsten", "import-reliance", 50, "", "U.S. net import reliance of 50%.", MCS_ANNEX),
    ("bismuth", "import-reliance", 92, "", "U.S. net import reliance of 92%.", MCS_ANNEX),
    # The 13 minerals at 100%: the letter names ten of them
    *[
        (
            slug,
            "import-reliance",
            100,
            "",
            "One of the 13 critical minerals for which the U.S. is 100% net import dependent.",
            MCS_100,
        )
        for slug in ("arsenic", "cesium", "rubidium", "tantalum", "fluorspar", "indium", "scandium")
    ],
    # Leading sources
    ("lithium", "leading-sources", None, "", "Chile and Argentina.", MCS_ANNEX),
    ("cobalt", "leading-sources", None, "", "Norway, Finland, Canada and Japan.", MCS_ANNEX),
    ("graphite", "leading-sources", None, "", "China, Canada, Mozambique and Mexico.", MCS_ANNEX),
    ("copper", "leading-sources", None, "", "Chile, Canada, Peru and Mexico.", MCS_ANNEX),
    ("germanium", "leading-sources", None, "", "Belgium, China, Canada and Germany.", MCS_ANNEX),
    ("antimony", "leading-sources", None, "", "China, Belgium, Thailand and India.", MCS_ANNEX),
    ("aluminum", "leading-sources", None, "", "Canada, the United Arab Emirates, Bahrain and China.", MCS_ANNEX),
    ("molybdenum", "leading-sources", None, "", "Peru, Mexico, Chile and Canada.", MCS_ANNEX),
    (
        "titanium",
        "leading-sources",
        None,
        "",
        "Japan, Saudi Arabia and Kazakhstan (titanium sponge); South Africa, Canada, Madagascar and Mozambique (titanium mineral concentrates).",
        MCS_ANNEX,
    ),
    ("yttrium", "leading-sources", None, "", "China, Germany and Austria.", MCS_ANNEX),
    ("gallium", "leading-sources", None, "", "Canada, Japan, China and Germany.", MCS_ANNEX),
    ("tungsten", "leading-sources", None, "", "China, Germany, Bolivia and Vietnam.", MCS_ANNEX),
    ("bismuth", "leading-sources", None, "", "China, South Korea and Germany.", MCS_ANNEX),
    *[
        (slug, "leading-sources", None, "", "Canada and Mexico are the lead U.S. sourcing partners.", MCS_NORTH_AMERICA)
        for slug in (
            "fluorspar",
            "gallium",
            "lead",
            "nickel",
            "potash",
            "silver",
            "tellurium",
            "vanadium",
            "yttrium",
            "zinc",
        )
    ],
    # China's role
    ("cobalt", "china", None, "", "China remains the global leader in refined cobalt.", MCS_ANNEX),
    (
        "graphite",
        "china",
        None,
        "",
        "China controls 78% of worldwide production for graphite; most U.S. graphite imports originate from China (46%). China established export licensing requirements on graphite in 2023.",
        MCS_ANNEX,
    ),
    ("copper", "china", None, "", "China leads in copper smelting capacity.", MCS_ANNEX),
    (
        "germanium",
        "china",
        None,
        "",
        "China controls 60% of the world's supply of germanium and imposed export controls in August 2023, then an export ban to the U.S. in 2024, suspended in November 2025.",
        MCS_ANNEX,
    ),
    (
        "antimony",
        "china",
        None,
        "",
        "China enacted an export ban on antimony to the U.S. in 2024, suspended in November 2025.",
        MCS_ANNEX,
    ),
    (
        "molybdenum",
        "china",
        None,
        "",
        "China controls most of the supply chain and is, with the U.S., the only producer from primary mines and byproduct copper mines; it imposed export restrictions on molybdenum powders in February 2025.",
        MCS_ANNEX,
    ),
    (
        "titanium",
        "china",
        None,
        "",
        "China is the leading producer and consumer of titanium mineral concentrates.",
        MCS_ANNEX,
    ),
    (
        "yttrium",
        "china",
        None,
        "",
        "China produces the majority of the world's supply of yttrium; export restrictions on yttria imposed in April 2025 remained in effect as of December 2025.",
        MCS_ANNEX,
    ),
    (
        "gallium",
        "china",
        None,
        "",
        "China accounts for 99% of worldwide primary low-purity gallium production; it banned exports to the U.S. in December 2024 and suspended the ban in November 2025.",
        MCS_ANNEX,
    ),
    (
        "tungsten",
        "china",
        None,
        "",
        "China is the world's leading producer, importer and consumer of tungsten and implemented export controls in February 2025.",
        MCS_ANNEX,
    ),
    (
        "bismuth",
        "china",
        None,
        "",
        "China controls 88% of worldwide production for bismuth; the U.S. imports primarily from China (56%). China imposed export controls on bismuth in February 2025.",
        MCS_ANNEX,
    ),
    *[
        (slug, "china", None, "", "China is the top supplier of U.S. imports.", MCS_100)
        for slug in ("arsenic", "cesium", "graphite", "rubidium", "tantalum", "yttrium")
    ],
    *[
        (slug, "china", None, "", "China is a prominent U.S. supplier.", MCS_100)
        for slug in ("fluorspar", "gallium", "indium", "scandium")
    ],
    *[
        (slug, "china", None, "", "China controls at least 60% of worldwide production.", MCS_SHARE)
        for slug in (
            "bismuth",
            "fluorspar",
            "gallium",
            "graphite",
            "indium",
            "magnesium",
            "silicon",
            "tellurium",
            "tungsten",
            "vanadium",
        )
    ],
    (
        "titanium",
        "china",
        None,
        "",
        "China controls at least 60% of worldwide production of titanium (metal).",
        MCS_SHARE,
    ),
    *[
        (slug, "china", None, "", "China controls at least 60% of worldwide production of rare earths.", MCS_SHARE)
        for slug in (
            "cerium",
            "erbium",
            "europium",
            "gadolinium",
            "lanthanum",
            "lutetium",
            "neodymium",
            "praseodymium",
            "samarium",
            "scandium",
            "ytterbium",
            "yttrium",
        )
    ],
    *[
        (slug, "china", None, "", "China imposes export controls on it.", CLARK_HILL)
        for slug in ("bismuth", "indium", "tellurium", "tungsten")
    ],
    ("yttrium", "china", None, "", "One of the 12 rare earth elements under Chinese export controls.", CLARK_HILL),
    # Market concentration elsewhere, and export restrictions
    (
        "cobalt",
        "market",
        None,
        "",
        "The Democratic Republic of the Congo controls 73% of worldwide production for cobalt.",
        MCS_ANNEX,
    ),
    ("nickel", "market", None, "", "At least 60% of global production is in a single country (Indonesia).", MCS_SHARE),
    ("niobium", "market", None, "", "At least 60% of global production is in a single country (Brazil).", MCS_SHARE),
    (
        "platinum",
        "market",
        None,
        "",
        "At least 60% of global production is in a single country (South Africa).",
        MCS_SHARE,
    ),
    *[
        (
            slug,
            "market",
            None,
            "",
            "Between 2021 and 2023, over 20% of global exports faced at least one export restriction.",
            OECD_EXPORT,
        )
        for slug in ("cobalt", "tin", "palladium", "platinum", "nickel", "copper", "manganese", "silver")
    ],
    # End uses that matter (the letter's "Strategic Commercial Significance")
    *[
        (slug, "end-use", None, "defense", "Essential to the U.S. defense industrial base.", NAM_232)
        for slug in (
            "aluminum",
            "antimony",
            "titanium",
            "magnesium",
            "manganese",
            "chromium",
            "silicon",
            "nickel",
            "zinc",
            "yttrium",
        )
    ],
    *[
        (slug, "end-use", None, "energy", "Pivotal to America's energy dominance.", NAM_232)
        for slug in ("lithium", "cobalt", "graphite", "copper")
    ],
    (
        "germanium",
        "end-use",
        None,
        "technology",
        "A vital input in optical fibers that underlie all U.S. telecommunications networks.",
        NAM_232,
    ),
    *[
        (
            slug,
            "end-use",
            None,
            "technology",
            "An important input for advanced manufacturing, including for semiconductors.",
            NAM_232,
        )
        for slug in ("gallium", "tungsten")
    ],
    (
        "bismuth",
        "end-use",
        None,
        "manufacturing",
        "Integral to manufacturing sectors from pharmaceutical ingredients to critical water infrastructure.",
        NAM_232,
    ),
    *[
        (slug, "end-use", None, "medical", "A key ingredient in medicines and cancer radiation therapies.", NAM_232)
        for slug in ("gadolinium", "lanthanum", "lutetium", "samarium", "ytterbium", "barite", "lithium")
    ],
    *[
        (
            slug,
            "end-use",
            None,
            "defense",
            "Found in permanent magnets that power defense platforms: guidance systems, sensors and communication technologies.",
            "",
        )
        for slug in ("cerium", "neodymium", "praseodymium", "samarium", "scandium")
    ],
    (
        "tungsten",
        "end-use",
        None,
        "defense",
        "A critical component for military-grade steel production, aerospace components, munitions and ground vehicle armor.",
        'U.S. Department of War, "DOD Makes Investment to Strengthen Tungsten Supply Chain," Dec. 13, 2024 (note 38)',
    ),
    (
        "cobalt",
        "end-use",
        None,
        "defense",
        "A required input for aircraft gas turbine engines, including military aircraft.",
        "",
    ),
]


def load(apps) -> None:
    """Create the minerals and facts (idempotent: what exists is left alone)."""
    Mineral = apps.get_model("minerals", "Mineral")
    Fact = apps.get_model("minerals", "Fact")
    for name, slug, symbol, group, unit, listed, uses in MINERALS:
        Mineral.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "symbol": symbol,
                "group": group,
                "unit": unit,
                "on_usgs_2025_list": listed,
                "uses": uses,
            },
        )
    minerals = {m.slug: m for m in Mineral.objects.all()}
    for slug, kind, percent, end_use, text, quotes in FACTS:
        Fact.objects.get_or_create(
            mineral=minerals[slug], kind=kind, text=text, quotes=quotes,
            defaults={"percent": percent, "end_use": end_use, "source": LETTER, "source_date": LETTER_DATE},
        )  # fmt: skip
    for mineral in minerals.values():
        reliance = (
            Fact.objects.filter(mineral=mineral, kind="import-reliance")
            .order_by("-source_date", "-pk")
            .values_list("percent", flat=True)
            .first()
        )
        Mineral.objects.filter(pk=mineral.pk).update(import_reliance=reliance)
