//! The classifier runs on every keystroke of the intake form. This measures one
//! keystroke over a catalog of 1,000 topics: the shipped topics, plus variants
//! of them with the same vocabulary, as a full 137 catalog would have (the
//! real one has about 990).

use criterion::{Criterion, criterion_group, criterion_main};
use desk137_server::domain::catalog::{Catalog, Topic};
use desk137_server::domain::classify::Classifier;
use std::hint::black_box;

const QUALIFIERS: [(&str, &str); 6] = [
    ("در بزرگراه", "on highways"),
    ("در پارک", "in parks"),
    ("در کوچه", "in alleys"),
    ("مکرر", "repeated"),
    ("شبانه", "at night"),
    ("در میدان", "in squares"),
];

fn thousand_topics() -> Vec<Topic> {
    let base = Catalog::default_catalog()
        .expect("the shipped catalog loads")
        .topics;
    let mut topics = base.clone();
    let mut n = 0;
    while topics.len() < 1000 {
        let (fa, en) = QUALIFIERS[n / base.len() % QUALIFIERS.len()];
        let mut t = base[n % base.len()].clone();
        t.id = format!("X{n:04}");
        t.title_fa = format!("{} {fa}", t.title_fa);
        t.title_en = format!("{} {en}", t.title_en);
        topics.push(t);
        n += 1;
    }
    topics
}

/// Every prefix of `text`, as the agent's typing produces them.
fn keystrokes(text: &str) -> Vec<String> {
    text.char_indices()
        .map(|(i, c)| text[..i + c.len_utf8()].to_owned())
        .collect()
}

fn bench(c: &mut Criterion) {
    let topics = thousand_topics();
    let mut classifier = Classifier::new(&topics);
    for (i, t) in topics.iter().enumerate() {
        classifier.set_use_count(&t.id, (i * 7919 % 1000) as u64);
    }
    let sessions = [
        ("description", "چراغ روشنايي کوچه خاموشه و شب‌ها خیلی تاریکه"),
        ("topic_field", "سد معبر"),
        ("typo", "فرونشصت زمین جلوی خانه"),
        ("english", "street light is broken"),
    ];
    for (name, text) in sessions {
        let strokes = keystrokes(text);
        let mut i = 0;
        c.bench_function(&format!("classify_keystroke_1000_topics/{name}"), |b| {
            b.iter(|| {
                i = (i + 1) % strokes.len();
                black_box(classifier.classify(black_box(&strokes[i]), 8))
            })
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
