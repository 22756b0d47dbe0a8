//! Checks every bank file: schema, sizes, distinct options, key range, no (near-)duplicates,
//! every topic × difficulty cell filled, and executes the code whose output is the answer.
use crate::common;

use promptedcode::questions::bank::{self, BankFile, BankQuestion, Check};
use promptedcode::questions::dedup::{self, NEAR_DUPLICATE};
use promptedcode::types::Difficulty;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::process::Command;
use std::sync::Mutex;

fn files() -> Vec<BankFile> {
    bank::load_dir(&common::bank_dir()).unwrap_or_else(|e| panic!("bank invalid: {e}"))
}

const MIN_QUESTIONS: usize = 300;
const MIN_TOPICS: usize = 15;

#[test]
fn bank_has_enough_questions_in_every_cell() {
    let files = files();
    assert!(
        files.len() >= MIN_TOPICS,
        "{} topics, need {MIN_TOPICS}",
        files.len()
    );
    let total: usize = files.iter().map(|f| f.questions.len()).sum();
    assert!(
        total >= MIN_QUESTIONS,
        "{total} questions, need {MIN_QUESTIONS}"
    );
    for file in &files {
        for d in Difficulty::ALL {
            let n = file.questions.iter().filter(|q| q.difficulty == d).count();
            assert!(n > 0, "{}: no {d} questions", file.topic.slug);
        }
    }
    print!("{}", bank::counts_table(&files));
}

#[test]
fn questions_are_well_formed() {
    for file in files() {
        for q in &file.questions {
            q.draft()
                .validate()
                .unwrap_or_else(|e| panic!("{}: {e}", q.id));
            for (lang, _) in bank::fenced_blocks(&q.stem) {
                assert!(
                    !lang.is_empty(),
                    "{}: code block without a language tag",
                    q.id
                );
            }
            assert!(
                q.tags.iter().all(|t| t
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')),
                "{}: tags must be lower-case words",
                q.id
            );
        }
    }
}

#[test]
fn no_duplicate_or_near_duplicate_questions() {
    let files = files();
    let mut hashes: HashMap<String, String> = HashMap::new();
    for file in &files {
        let prints: Vec<(&BankQuestion, _)> = file
            .questions
            .iter()
            .map(|q| {
                let d = q.draft();
                (
                    q,
                    dedup::shingles(&dedup::fingerprint_text(&d.stem, &d.options)),
                )
            })
            .collect();
        for (q, _) in &prints {
            let d = q.draft();
            if let Some(other) =
                hashes.insert(dedup::content_hash(&d.stem, &d.options), q.id.clone())
            {
                panic!("{} duplicates {other}", q.id);
            }
        }
        for (i, (a, sa)) in prints.iter().enumerate() {
            for (b, sb) in &prints[i + 1..] {
                let sim = dedup::similarity(sa, sb);
                assert!(
                    sim < NEAR_DUPLICATE,
                    "{} and {} are near-duplicates ({sim:.2})",
                    a.id,
                    b.id
                );
            }
        }
    }
}

fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn tool_available(tool: &str) -> bool {
    Command::new(tool)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

enum Ran {
    Output(String),
    CompileFailed,
}

fn run_snippet(lang: &str, code: &str, dir: &Path, id: &str) -> Result<Ran, String> {
    let output = match lang {
        "python" => Command::new("python3").arg("-c").arg(code).output(),
        "javascript" => Command::new("node").arg("-e").arg(code).output(),
        "rust" => {
            let src = dir.join(format!("{id}.rs"));
            let bin = dir.join(id);
            std::fs::write(&src, code).map_err(|e| e.to_string())?;
            let compiled = Command::new("rustc")
                .args(["--edition", "2021", "-A", "warnings", "-o"])
                .arg(&bin)
                .arg(&src)
                .output()
                .map_err(|e| e.to_string())?;
            if !compiled.status.success() {
                return Ok(Ran::CompileFailed);
            }
            Command::new(&bin).output()
        }
        other => return Err(format!("no runner for {other}")),
    }
    .map_err(|e| e.to_string())?;
    if !output.status.success() {
        return Err(format!(
            "exited with {}: {}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(Ran::Output(
        String::from_utf8_lossy(&output.stdout).into_owned(),
    ))
}

#[test]
fn executable_snippets_print_their_key() {
    let files = files();
    let checked: Vec<&BankQuestion> = files
        .iter()
        .flat_map(|f| &f.questions)
        .filter(|q| q.check.is_some())
        .collect();
    assert!(!checked.is_empty(), "the bank declares executable checks");
    let dir = std::env::temp_dir().join(format!("pc-bank-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();

    let available: HashMap<&str, bool> = [
        ("python", "python3"),
        ("javascript", "node"),
        ("rust", "rustc"),
    ]
    .into_iter()
    .map(|(lang, tool)| (lang, tool_available(tool)))
    .collect();
    // Locally a missing toolchain skips its snippets (and says so); in CI every snippet
    // must run, so a missing one fails the test instead of passing it unchecked.
    if std::env::var("CI").as_deref() == Ok("true") {
        let missing: Vec<&str> = available
            .iter()
            .filter(|(_, found)| !**found)
            .map(|(lang, _)| *lang)
            .collect();
        assert!(
            missing.is_empty(),
            "CI=true but no toolchain for {missing:?}: the bank's snippets cannot be checked"
        );
    }
    let tally: Mutex<BTreeMap<String, (usize, usize)>> = Mutex::default();
    let failures: Mutex<Vec<String>> = Mutex::default();

    let queue = Mutex::new(checked.into_iter());
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| loop {
                let Some(q) = queue.lock().unwrap().next() else {
                    break;
                };
                let blocks = bank::fenced_blocks(&q.stem);
                let runnable: Vec<_> = blocks
                    .iter()
                    .filter(|(lang, _)| matches!(lang.as_str(), "python" | "javascript" | "rust"))
                    .collect();
                if blocks.len() != 1 || runnable.len() != 1 {
                    failures.lock().unwrap().push(format!(
                        "{}: a checked stem needs exactly one python/javascript/rust block",
                        q.id
                    ));
                    continue;
                }
                let (lang, code) = runnable[0];
                let mut tally = tally.lock().unwrap();
                let entry = tally.entry(lang.clone()).or_default();
                if !available[lang.as_str()] {
                    entry.1 += 1;
                    continue;
                }
                entry.0 += 1;
                drop(tally);
                let key = &q.options[usize::from(q.answer_index)];
                let outcome = run_snippet(lang, code, &dir, &q.id.replace('-', "_"));
                let problem = match (q.check, outcome) {
                    (Some(Check::Stdout), Ok(Ran::Output(out))) => {
                        let expected = collapse(key.trim().trim_matches('`'));
                        (collapse(&out) != expected).then(|| {
                            format!(
                                "{}: printed {:?}, key says {:?}",
                                q.id,
                                collapse(&out),
                                expected
                            )
                        })
                    }
                    (Some(Check::Stdout), Ok(Ran::CompileFailed)) => {
                        Some(format!("{}: does not compile", q.id))
                    }
                    (Some(Check::CompileError), Ok(Ran::CompileFailed)) => None,
                    (Some(Check::CompileError), Ok(Ran::Output(_))) => {
                        Some(format!("{}: compiles, but the key says it does not", q.id))
                    }
                    (_, Err(e)) => Some(format!("{}: {e}", q.id)),
                    (None, _) => None,
                };
                if let Some(p) = problem {
                    failures.lock().unwrap().push(p);
                }
            });
        }
    });
    let _ = std::fs::remove_dir_all(&dir);
    let tally = tally.into_inner().unwrap();
    for (lang, (ran, skipped)) in &tally {
        println!("executed {ran} {lang} snippets, skipped {skipped} (toolchain missing)");
    }
    let failures = failures.into_inner().unwrap();
    assert!(
        failures.is_empty(),
        "{} snippet checks failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
