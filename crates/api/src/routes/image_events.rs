//! Image events, announced once the image store has committed the change: dockerd's
//! `tag`, `untag`, `delete`, `import` and `load` (the store itself knows nothing of events).

use berth_engine::Engine;
use berth_image::{DeleteItem, ImageStore};

/// `import`: a `tag` for the reference it was given, then `import` itself.
pub fn imported(engine: &Engine, id: &str, reference: Option<&str>) {
    if let Some(r) = reference {
        engine.image_event(id, &tagged(r), "tag");
    }
    engine.image_event(id, id, "import");
}

/// `load`: one `load` per image, found from docker's `Loaded image...` lines.
pub fn loaded(engine: &Engine, images: &ImageStore, lines: &[String]) {
    for line in lines {
        let id = if let Some(id) = line.strip_prefix("Loaded image ID: ") {
            id.to_string()
        } else if let Some(r) = line.strip_prefix("Loaded image: ") {
            match images.resolve(r) {
                Ok(rec) => rec.id,
                Err(_) => continue,
            }
        } else {
            continue;
        };
        engine.image_event(&id, &id, "load");
    }
}

/// `tag`: the new reference, in its familiar `name:tag` form.
pub fn tagged_as(engine: &Engine, images: &ImageStore, repo: &str, tag: Option<&str>) {
    let reference = match tag {
        Some(t) if !t.is_empty() => format!("{repo}:{t}"),
        _ => repo.to_string(),
    };
    let name = tagged(&reference);
    if let Ok(rec) = images.resolve(&name) {
        engine.image_event(&rec.id, &name, "tag");
    }
}

/// `rmi`: an `untag` per reference let go of, a `delete` when the image went.
pub fn removed(engine: &Engine, id: &str, items: &[DeleteItem]) {
    for item in items {
        match item {
            DeleteItem::Untagged(r) => engine.image_event(id, r, "untag"),
            // layers are listed as deleted too; the event is the image's alone
            DeleteItem::Deleted(d) if d == id => engine.image_event(d, d, "delete"),
            DeleteItem::Deleted(_) => {}
        }
    }
}

fn tagged(reference: &str) -> String {
    berth_image::parse_tag_target(reference, None)
        .map(|r| r.tagged_key())
        .unwrap_or_else(|_| reference.to_string())
}
