"""Fill the bench's own database with a district's worth of schools (see README, Benchmark)."""

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from logistics.bench.database import check_bench_database, ensure_database, read_meta, write_meta
from logistics.bench.generate import generate
from logistics.common.registry import registry
from logistics.models import School


class Command(BaseCommand):
    help = (
        "Create, migrate and fill the bench database (DATABASE_URL must name a PostgreSQL "
        "database whose name contains 'bench'). Refuses to run twice without --reset."
    )

    def add_arguments(self, parser):
        parser.add_argument("--schools", type=int, default=20, help="schools (default 20)")
        parser.add_argument("--districts", type=int, default=2, help="districts (default 2)")
        parser.add_argument(
            "--scale", type=float, default=1.0, help="size of a school; 1 = 600 rooms, 200 people"
        )
        parser.add_argument(
            "--small", type=int, default=2, help="how many schools are small (a tenth of the size)"
        )
        parser.add_argument("--seed", type=int, default=20261)
        parser.add_argument("--reset", action="store_true", help="drop the database and rebuild")
        parser.add_argument(
            "--if-missing",
            action="store_true",
            help="do nothing if the same data is already there; rebuild if it differs",
        )

    def handle(self, *args, reset=False, if_missing=False, **options):
        wanted = {
            "schools": options["schools"],
            "districts": options["districts"],
            "scale": options["scale"],
            "small": options["small"],
            "seed": options["seed"],
            "generators": sorted(registry.bench_data),
        }
        if not (1 <= wanted["districts"] <= 4) or wanted["schools"] < wanted["districts"]:
            raise CommandError("Use 1 to 4 districts and at least one school per district.")
        if not 0 <= wanted["small"] < wanted["schools"] or wanted["scale"] <= 0:
            raise CommandError("--small must leave a full-size school; --scale must be > 0.")
        name = check_bench_database()
        if ensure_database(reset=reset):
            self.stdout.write(f"Created database {name}.")
        call_command("migrate", interactive=False, verbosity=0)
        meta = read_meta()
        if meta:
            same = all(meta.get(key) == value for key, value in wanted.items())
            if if_missing and same:
                self.stdout.write(
                    f"Bench data present in {name}: {meta['schools']} schools, "
                    f"scale {meta['scale']} (generated in {meta.get('seconds', '?')} s)."
                )
                return
            if not if_missing:
                raise CommandError(
                    f"{name} already holds bench data ({meta['schools']} schools, scale "
                    f"{meta['scale']}); use --reset to rebuild it."
                )
            self.stdout.write("The bench data differs from what is asked for; rebuilding.")
            ensure_database(reset=True)
            call_command("migrate", interactive=False, verbosity=0)
        elif School.objects.exists() and not reset:
            raise CommandError(f"{name} holds schools not made by bench_data; use --reset.")
        self.stdout.write(
            f"Generating {wanted['schools']} schools in {wanted['districts']} districts "
            f"(scale {wanted['scale']}, {wanted['small']} small) into {name}:"
        )
        counts, seconds = generate(
            schools=wanted["schools"],
            districts=wanted["districts"],
            scale=wanted["scale"],
            small=wanted["small"],
            seed=wanted["seed"],
            log=self.stdout.write,
        )
        write_meta({**wanted, "counts": counts, "seconds": round(seconds, 1)})
        self.stdout.write(self.style.SUCCESS(f"Done in {seconds:.1f} s."))
