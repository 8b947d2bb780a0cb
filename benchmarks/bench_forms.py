"""表单生成性能 — median time of each Word form through `forms.render` against a bare docxtpl render of the
same template and context, and the time to build a zip of 260 JC 附件2 forms (one per expert of a full pool).

"bare" = `DocxTemplate(path)` + `render(context, jinja_env=Environment(autoescape=True), autoescape=True)` +
`save(BytesIO)`, the least any docxtpl form costs; `forms.render` adds StrictUndefined, the XML check, the
schema order of cell properties, keep-with-next for merged blocks and the photo's wrap distance — and saves
time by compiling each template's body once (cached by file, mtime and size). JC 附件1 uses the app's own
`{% vm_start %}` tag, which plain docxtpl cannot parse: its bare run adds only that rewrite. Forms with a
photo get a 1-inch PNG (295 × 413 px) in both runs.
Targets: ratio ≤ 1.5×; zip of 260 附件2 ≤ 15 s. Run: `.venv/bin/python benchmarks/bench_forms.py`.
"""
from __future__ import annotations

import importlib
import io
import statistics
import struct
import sys
import time
import zlib
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from docx.shared import Mm  # noqa: E402
from docxtpl import DocxTemplate, InlineImage  # noqa: E402
from jinja2 import Environment  # noqa: E402

import forms  # noqa: E402
from core.policy import load_policies  # noqa: E402
from services import forms_service  # noqa: E402

render_module = importlib.import_module("forms.render")
REPS = 15
POOL = 260
TODAY = date(2026, 6, 15)


def photo_png(width: int = 295, height: int = 413) -> bytes:
    """A 1-inch photo at 300 dpi (295 × 413 px), as a real PNG."""
    raw = b"".join(b"\x00" + bytes((70, 130, 200)) * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


PHOTO = photo_png()


class _VmStartOnly(DocxTemplate):
    """Plain docxtpl plus only the `{% vm_start %}` rewrite JC 附件1 needs (no cache, no post-processing)."""

    def patch_xml(self, src_xml: str) -> str:
        return render_module._VM_START_CELL.sub(render_module._vm_start_cell, super().patch_xml(src_xml))


def bare(template: str, context: dict, images: dict) -> bytes:
    path = forms.TEMPLATES_DIR / template
    doc = _VmStartOnly(path) if "vm_start" in _xml(template) else DocxTemplate(path)
    ctx = dict(context)
    for key, data in images.items():
        ctx[key] = InlineImage(doc, io.BytesIO(data), width=Mm(25), height=Mm(35)) if data else ""
    doc.render(ctx, jinja_env=Environment(autoescape=True), autoescape=True)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


_XML_CACHE: dict[str, str] = {}


def _xml(template: str) -> str:
    if template not in _XML_CACHE:
        import zipfile
        with zipfile.ZipFile(forms.TEMPLATES_DIR / template) as z:
            _XML_CACHE[template] = z.read("word/document.xml").decode("utf-8")
    return _XML_CACHE[template]


def median_ms(fn) -> float:
    fn()  # warm up (imports, caches)
    times = []
    for _ in range(REPS):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def form_cases() -> list[tuple[str, str, dict, dict]]:
    """(label, template, context, images) for every form the app fills, from each profile's sample."""
    cases, seen = [], set()
    for policy in load_policies(ROOT / "policies").values():
        for spec in policy.forms:
            sample = forms_service.sample_context(policy, spec.id, TODAY)
            if sample is None or (spec.template, policy.id) in seen:
                continue
            seen.add((spec.template, policy.id))
            context, images = sample
            images = {key: PHOTO for key in images}  # the application forms with their photo
            label = f"{policy.short_name} {spec.annex if spec.annex != '本地表单' else ''}{spec.title}"
            cases.append((label, spec.template, context, images))
    return cases


def bench_zip() -> tuple[float, int]:
    policies = load_policies(ROOT / "policies")
    jc = policies["jincheng-2026"]
    base = forms_service.sample_expert(jc)
    application = forms_service.sample_application(jc)
    rows = [({**base, "id": i, "name": f"专家{i:03d}"}, application) for i in range(POOL)]
    photos = {i: PHOTO for i in range(POOL)}
    t = time.perf_counter()
    data = forms_service.application_forms_zip(rows, jc, photos=photos)
    return time.perf_counter() - t, len(data)


def main() -> None:
    print(f"表单生成（每项 {REPS} 次取中位数；带照片的表单含 1 寸照片）")
    print(f"{'表单':<44}{'forms.render':>14}{'docxtpl':>10}{'倍数':>8}")
    worst = 0.0
    for label, template, context, images in form_cases():
        ours = median_ms(lambda: forms.render(template, context, images=images))
        plain = median_ms(lambda: bare(template, context, images))
        ratio = ours / plain
        worst = max(worst, ratio)
        print(f"{label[:40]:<44}{ours:>11.1f} ms{plain:>7.1f} ms{ratio:>7.2f}×")
    seconds, size = bench_zip()
    print(f"\n最大倍数 {worst:.2f}×（目标 ≤ 1.5×）")
    print(f"{POOL} 份附件2（含照片）打包为 zip：{seconds:.1f} s，{size / 1024 / 1024:.1f} MB（目标 ≤ 15 s）")


if __name__ == "__main__":
    main()
