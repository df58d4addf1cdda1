"""A post's minerals become minerals.Mineral rows (the minerals app now
exists; insights.Tag of kind "mineral" was its stand-in with the same slugs).

Each mineral tag maps onto the Mineral with its slug. The one seeded tag
that names a group rather than a mineral, "rare-earth-elements", maps onto
every mineral of the rare-earths group. A tag staff added that the reference
lacks becomes a Mineral of its own (named as the tag, off the USGS list,
with no facts) so that no post loses a tag; staff can correct it in the
admin. Topic tags were never attached to posts, so Tag goes entirely.
"""

from django.db import migrations, models

GROUP_TAGS = {"rare-earth-elements": "rare-earths"}


def tags_to_minerals(apps, schema_editor):
    Tag = apps.get_model("insights", "Tag")
    Mineral = apps.get_model("minerals", "Mineral")
    Post = apps.get_model("insights", "Post")
    old, new = Post.minerals.through, Post.mineral_refs.through
    by_slug = dict(Mineral.objects.values_list("slug", "pk"))
    targets: dict[int, list[int]] = {}
    for tag in Tag.objects.filter(kind="mineral"):
        if tag.slug in by_slug:
            targets[tag.pk] = [by_slug[tag.slug]]
        elif tag.slug in GROUP_TAGS:
            targets[tag.pk] = list(Mineral.objects.filter(group=GROUP_TAGS[tag.slug]).values_list("pk", flat=True))
        elif old.objects.filter(tag_id=tag.pk).exists():
            mineral, _ = Mineral.objects.get_or_create(
                slug=tag.slug, defaults={"name": tag.name, "group": "industrial", "on_usgs_2025_list": False}
            )
            targets[tag.pk] = [mineral.pk]
    links = {
        (post_id, mineral_id)
        for post_id, tag_id in old.objects.values_list("post_id", "tag_id")
        for mineral_id in targets.get(tag_id, [])
    }
    new.objects.bulk_create([new(post_id=p, mineral_id=m) for p, m in sorted(links)], batch_size=2000)


def minerals_to_tags(apps, schema_editor):
    Tag = apps.get_model("insights", "Tag")
    Post = apps.get_model("insights", "Post")
    old, new = Post.minerals.through, Post.mineral_refs.through
    links = set()
    for post_id, slug, name in new.objects.values_list("post_id", "mineral__slug", "mineral__name"):
        tag, _ = Tag.objects.get_or_create(kind="mineral", slug=slug, defaults={"name": name})
        links.add((post_id, tag.pk))
    old.objects.bulk_create([old(post_id=p, tag_id=t) for p, t in sorted(links)], batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [
        ("insights", "0003_post_images"),
        ("minerals", "0002_reference_from_seeds"),
    ]

    operations = [
        migrations.AddField(
            model_name="post",
            name="mineral_refs",
            field=models.ManyToManyField(blank=True, related_name="+", to="minerals.mineral"),
        ),
        migrations.RunPython(tags_to_minerals, minerals_to_tags),
        migrations.RemoveField(model_name="post", name="minerals"),
        migrations.DeleteModel(name="Tag"),
        migrations.RenameField(model_name="post", old_name="mineral_refs", new_name="minerals"),
        migrations.AlterField(
            model_name="post",
            name="minerals",
            field=models.ManyToManyField(blank=True, related_name="insights_posts", to="minerals.mineral"),
        ),
    ]
