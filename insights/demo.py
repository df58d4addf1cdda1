"""Demo data for insights: the association's own article (seeds/001) as the
first post, the Green TEA Initiative as a policy position in the words of the
association's page (seeds/000), and a news item linking the petition of
seeds/002. Idempotent (by slug); `seed_scale(n)` adds n bulk posts for benchmarks."""

from __future__ import annotations

import datetime

from django.utils import timezone

from cma.audit import audit
from cma.demo import DemoLogin
from cma.markdown import render_markdown
from members.models import Segment, User
from minerals.models import Mineral
from workinggroups.models import WorkingGroup

from . import fragments, services
from .models import Post

MADE_IN_AMERICA = """The supply chain for essential minerals in the United States is a complex and multifaceted issue that has received increased attention over the past few years.

They are frequently used in high-tech industries such as aerospace, defence, electronics, and renewable energy. However, concerns have been raised regarding the security and resilience of the nation’s supply chain due to the United States’ heavy reliance on imports for a number of critical minerals.

The fact that the majority of these minerals are produced in only a few countries is one of the greatest obstacles for the American critical mineral supply chain. China, for example, is the leading producer of rare earth minerals, which are utilized in numerous high-tech products, such as smartphones, wind turbines, and military equipment.

In contrast, the United States has limited domestic resources and is a minor producer of these minerals. This reliance on foreign sources makes the United States vulnerable to supply disruptions and political manipulation.

Insufficient domestic processing capacity for essential minerals is a further barrier. There are a few mines in the United States that produce essential minerals but the vast majority of these minerals are exported in their unprocessed state and processed in other countries, primarily China. This means that the United States is not only reliant on foreign sources for these minerals, but also on foreign processing capacities.

## Related News

There have been efforts to address these obstacles and strengthen the security and resilience of the critical mineral supply chain in the United States. The American Mineral Security Act of 2020 and the Critical Minerals Strategy of the U.S. Geological Survey are two government initiatives implemented to encourage domestic production and processing of critical minerals. In addition, private companies are developing new mining and processing technologies and investing in domestic mines to decrease their reliance on foreign sources.

The supply chain of critical minerals in the United States includes a number of entities, including:

- Businesses responsible for the extraction of essential minerals from the earth. In the United States, a few large firms dominate the mining industry, but there are also a large number of smaller firms operating in the sector.
- After essential minerals are extracted from the earth, they must often be refined or processed before they can be used in a variety of applications. In the United States, a number of businesses specialize in mineral processing.
- Manufacturers use critical minerals as raw materials to produce a variety of products. For instance, manufacturers of electronics, batteries, and defence equipment rely on critical minerals.
- The US government plays a crucial role in the supply chain of critical minerals through initiatives – such as the Critical Minerals Strategy and the Critical Minerals Executive Order – which aim to increase domestic production and decrease reliance on foreign sources.
- The US is a member of a number of international trade organizations such as the World Trade Organization (WTO) which influence the global trade in essential minerals.
- NGOs: Non-governmental organizations (NGOs) play a role in the supply chain of critical minerals through initiatives such as promoting the use of recycled materials and advocating for responsible mining practices.

Overall, the United States’ critical mineral supply chain is a complex issue that necessitates a multifaceted approach to address the difficulties of foreign reliance and lack of domestic processing capacity. Even though progress has been made, a substantial amount of work remains to be done in order to ensure the security and resilience of this vital supply chain.

As these minerals are used in a wide variety of industries and technologies – including defence, renewable energy, and electronics – securing a domestic supply chain for critical minerals is an important issue for the United States. The US government and private industry can take several steps to improve the domestic supply chain for critical minerals:

### Increase domestic production of critical minerals

The United States possesses significant deposits of several critical minerals but production has been limited in recent years due to a lack of investment and regulatory barriers. The government can incentivize the exploration and development of domestic mineral deposits as well as streamline the permitting process.

### Recycling and Reusing

Instead of relying on new mineral production; recycling and reusing existing materials can help reduce the demand for new minerals and improve the domestic supply chain.

### Diversify sources of essential minerals

Currently, the United States relies heavily on a small number of countries for essential minerals. Diversifying the sources of these minerals can reduce reliance on a single nation and strengthen the supply chain’s resilience.

### Invest in R&D

Developing new technologies and processes for extracting, processing, and utilizing critical minerals can help reduce the demand for these minerals and improve the efficiency of the domestic supply chain.

### Strengthen alliances with allies

The United States can collaborate with its allies to create joint strategies for securing critical mineral supplies and decreasing reliance on foreign sources. The country’s economy and national security rely on a variety of essential minerals.

The United States’ heavy reliance on foreign sources for the majority of these essential minerals is one of the primary obstacles to securing a stable supply. For instance, the United States imports more than fifty per cent of its cobalt, a critical mineral used in the production of batteries for electric vehicles and consumer electronics, with the majority of this cobalt originating from the Democratic Republic of the Congo. This foreign reliance makes the U.S. supply chain susceptible to disruptions and price fluctuations.

Several initiatives are currently underway to address this vulnerability and boost the domestic production of essential minerals. The U.S. government has established a number of initiatives to identify and prioritize critical minerals, enhance the efficiency and sustainability of mineral production, and encourage the development of domestic mining and processing capabilities.

Additionally, the private sector is working towards addressing the issue. Some businesses are investing in the development of technologies that can extract essential minerals from unorthodox sources, such as mine tailings and waste materials, or recycle them from end-of-life products. Others seek to diversify their supply chains and secure long-term contracts with domestic manufacturers.

The United States faces significant obstacles in securing a stable and dependable supply of essential minerals. With the right policies and investments, it is possible to construct a more resilient and sustainable supply chain that can support the needs of American industry and ensure the nation’s economic and national security.
"""

GREEN_TEA = """The Green TEA Initiative is one of the ways the CMA USA delivers its E3 principles, alongside multistakeholder engagement, focused events, thought leadership, dynamic action-focused working groups and trade delegations.

## Why

Critical minerals are essential to building the technologies required to meet climate goals and diversifying existing energy sources. Without increased investment in critical minerals, defence capabilities, manufacturing output, and supply chain diversification opportunities will be diminished.

The CMA USA promotes responsible extraction, processing, and refining of critical minerals, as well as efficient recycling and re-use of end-of-life products.

## Our position: Educate, Enable, Empower

- **Educate** the private sector and government leadership on the impact that critical minerals have on the energy transition, net zero commitments, security of supply and the circular economy.
- **Enable** acceleration of domestic capabilities through access to finance and active dismantling of barriers to profitable extraction, processing and refining.
- **Empower** governments to implement smart policies that drive growth and empower companies to lead in niche industries.

## Rooted in

Responsible practices; equitable community partnerships; increasing circularity; leading research & development; and educating & uniting stakeholders.

## What we ask

Together we can accelerate domestic exploration, mining, processing, refining, and recycling of critical minerals; drive best practices and balance sustainability with profitability; integrate markets and supply chains to bolster security of supply; and advocate for favourable policies that protect American companies from market manipulations.
"""

PETITION_NEWS = """The U.S. government is considering entering into a number of possible Critical Minerals Agreements (CMAs) with other countries throughout the world. A sign-on petition now urges that any new CMAs prioritize labor, environmental and human rights throughout the supply chain.

Critical Minerals Agreements are targeted trade agreements ideally designed to expand and strengthen critical minerals supply chains — although they don’t always work out that way. They typically offer foreign critical minerals suppliers preferred access to U.S. tax credits, financial assistance, technical assistance or other benefits.

National organizations and state or local organizations are adding their names to the endorsement wall.

**[Read and sign the petition](/petitions/critical-minerals-agreements-rights/)**, or add your organization.
"""

MEMBERS_BRIEFING = """Members asked for a short read on what pooled demand could mean for small-volume minerals.

- Gallium and germanium supply remains concentrated in one country.[^1]
- Pooled, anonymous demand indications would let smaller buyers be counted.

The Trade Policy Working Group will discuss a draft comment at its next meeting.

[^1]: USGS Mineral Commodity Summaries.
"""


def _tag(slug: str) -> Mineral:
    return Mineral.objects.get(slug=slug)


def _publish(staff: User, *, published_at: datetime.datetime, **fields) -> Post:
    existing = Post.objects.filter(slug=fields["slug"]).first()
    if existing is not None:
        return existing
    post = services.post_import(author=staff, **fields)
    Post.objects.filter(pk=post.pk).update(status=Post.Status.PUBLISHED, published_at=published_at)
    audit(actor=staff, action="post.publish", target=post, from_state="draft", to_state="published", note="demo")
    return post


def seed() -> list[DemoLogin]:
    staff = User.objects.get(email="staff@cma-usa.localhost")
    now = timezone.now()
    segments = {s.slug: s for s in Segment.objects.all()}
    groups = {g.name: g for g in WorkingGroup.objects.all()}
    trade = [g for name, g in groups.items() if name == "Trade Policy Working Group"]
    recycling = [g for name, g in groups.items() if name == "Recycling and Circularity"]
    _publish(
        staff, published_at=now - datetime.timedelta(days=20), kind=Post.Kind.ARTICLE,
        title="Securing a “Made in America” Supply Chain for Critical Minerals",
        slug="securing-a-made-in-america-supply-chain",
        standfirst="The United States’ heavy reliance on imports, and on foreign processing, makes its critical "
        "minerals supply chain vulnerable. Five steps government and industry can take.",
        body=MADE_IN_AMERICA,
        minerals=[_tag("neodymium"), _tag("praseodymium"), _tag("cobalt")],
        segments=[s for slug, s in segments.items() if slug in ("exploration-and-mining", "processing-and-refining", "recycling")],
        working_groups=trade + recycling,
    )  # fmt: skip
    _publish(
        staff, published_at=now - datetime.timedelta(days=12), kind=Post.Kind.POSITION,
        title="The Green TEA Initiative", slug="green-tea-initiative",
        standfirst="Educate, enable, empower: how the CMA USA brings industry's evidence to policymakers for a "
        "profitable, sustainable and secure critical minerals industry.",
        body=GREEN_TEA, minerals=[_tag("lithium"), _tag("graphite"), _tag("nickel")],
        segments=[s for slug, s in segments.items() if slug in ("recycling", "processing-and-refining")],
        working_groups=recycling,
    )  # fmt: skip
    _publish(
        staff, published_at=now - datetime.timedelta(days=3), kind=Post.Kind.NEWS,
        title="Petition: Critical Minerals Agreements must prioritize labor, environmental and human rights",
        slug="petition-critical-minerals-agreements",
        standfirst="Organizations across the country are signing on. Add yours.",
        body=PETITION_NEWS, minerals=[_tag("cobalt"), _tag("nickel"), _tag("lithium")], working_groups=trade,
    )  # fmt: skip
    _publish(
        staff, published_at=now - datetime.timedelta(days=1), kind=Post.Kind.NEWS,
        title="Members’ briefing: pooled demand for small-volume minerals",
        slug="members-briefing-pooled-demand",
        standfirst="What anonymous, pooled demand indications could do for gallium and germanium buyers.",
        body=MEMBERS_BRIEFING, visibility=Post.Visibility.MEMBERS,
        minerals=[_tag("gallium"), _tag("germanium")], working_groups=trade,
    )  # fmt: skip
    if not Post.objects.filter(slug="permitting-reform-draft").exists():
        services.post_import(
            author=staff, kind=Post.Kind.POSITION, title="Permitting reform: our comment (draft)",
            slug="permitting-reform-draft", standfirst="A draft for review by the Permitting Reform group.",
            body="The government can streamline the permitting process.",
        )  # fmt: skip
    return []


SCALE_MINERALS = ("cobalt", "copper", "gallium", "germanium", "graphite", "lithium", "neodymium", "nickel")


def seed_scale(count: int) -> str:
    """Bulk-create `count` published posts (a third members-only), tagged, for benchmarks."""
    staff = User.objects.get(email="staff@cma-usa.localhost")
    start = Post.objects.filter(slug__startswith="scale-post-").count()
    now = timezone.now()
    words = MADE_IN_AMERICA.split()
    # The minerals the insights tags stood for before the minerals app.
    minerals = list(Mineral.objects.filter(slug__in=SCALE_MINERALS).order_by("slug"))
    segments = list(Segment.objects.all())
    bodies = {offset: " ".join(words[offset : offset + 600]) for offset in range(200)}
    rendered = {offset: str(render_markdown(body, footnotes=True)) for offset, body in bodies.items()}
    posts = Post.objects.bulk_create(
        [
            Post(
                kind=Post.Kind.values[n % 3], title=f"Scale post {n:06d}: {' '.join(words[n % 50 : n % 50 + 6])}",
                slug=f"scale-post-{n:06d}", standfirst=" ".join(words[n % 80 : n % 80 + 25]),
                body=bodies[n % 200], body_html=rendered[n % 200], status=Post.Status.PUBLISHED,
                published_at=now - datetime.timedelta(hours=n + 48), created_by=staff, reading_minutes=3,
                visibility=Post.Visibility.MEMBERS if n % 3 == 0 else Post.Visibility.PUBLIC,
            )
            for n in range(start, start + count)
        ],
        batch_size=1000,
    )  # fmt: skip
    Post.minerals.through.objects.bulk_create(
        [Post.minerals.through(post_id=p.pk, mineral_id=minerals[i % len(minerals)].pk) for i, p in enumerate(posts)],
        batch_size=2000,
    )
    Post.segments.through.objects.bulk_create(
        [Post.segments.through(post_id=p.pk, segment_id=segments[i % len(segments)].pk) for i, p in enumerate(posts)],
        batch_size=2000,
    )
    Post.authors.through.objects.bulk_create([Post.authors.through(post_id=p.pk, user_id=staff.pk) for p in posts])
    services.index_all_for_search()
    fragments.bump()  # bulk rows send no signals
    return f"{count} posts"
