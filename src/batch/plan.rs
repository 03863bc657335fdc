//! Checks a batch against Graph's rules before anything is sent, and cuts it into
//! envelopes of at most [`MAX_STEPS`]: parallel steps packed together, each dependency
//! chain alone, a chain longer than an envelope in whole segments of [`MAX_STEPS`].

use std::collections::{HashMap, HashSet};

use crate::error::Error;

/// The most steps Graph takes in one envelope.
pub const MAX_STEPS: usize = 20;

/// What validation needs to know about a step.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Shape<'a> {
    pub(crate) key: &'a str,
    pub(crate) url: &'a str,
    pub(crate) depends_on: Option<&'a str>,
    pub(crate) has_body: bool,
    pub(crate) has_content_type: bool,
}

/// Checks every rule; returns each step's dependency as an index into `steps`. A broken
/// rule is the caller's mistake, refused before anything is sent:
/// [`Error::InvalidArgument`] naming the step.
pub(crate) fn validate(steps: &[Shape<'_>]) -> Result<Vec<Option<usize>>, Error> {
    let mut by_key: HashMap<String, usize> = HashMap::with_capacity(steps.len());
    let mut deps = Vec::with_capacity(steps.len());
    // The one dependent each step may have.
    let mut dependent: Vec<Option<usize>> = vec![None; steps.len()];
    for (index, step) in steps.iter().enumerate() {
        let key = step.key;
        let refuse = |reason: String| Err(Error::invalid("batch step", reason));
        if key.trim().is_empty() {
            return refuse("a step has an empty key".into());
        }
        if by_key.insert(key.to_lowercase(), index).is_some() {
            return refuse(format!("the key {key:?} is used twice (keys are compared case-insensitively)"));
        }
        if is_absolute(step.url) {
            return refuse(format!("{key:?}: the URL {:?} must be relative to the version root", step.url));
        }
        if is_batch(step.url) {
            return refuse(format!("{key:?}: a batch cannot contain another $batch"));
        }
        if step.has_body && !step.has_content_type {
            return refuse(format!("{key:?} has a body but no Content-Type header"));
        }
        let dependency = match step.depends_on {
            None => None,
            Some(on) => {
                let Some(d) = by_key.get(&on.to_lowercase()).copied().filter(|&d| d != index) else {
                    return refuse(format!("{key:?} depends on {on:?}, which is not an earlier step"));
                };
                if let Some(other) = dependent[d] {
                    return refuse(format!(
                        "{:?} and {key:?} both depend on {:?}: dependencies must form chains \
                         (Graph runs a batch fully in parallel or as chains, nothing in between)",
                        steps[other].key, steps[d].key
                    ));
                }
                dependent[d] = Some(index);
                Some(d)
            }
        };
        deps.push(dependency);
    }
    Ok(deps)
}

/// `scheme://…` or `//host…`: anything that is not a path from the version root.
fn is_absolute(url: &str) -> bool {
    if url.starts_with("//") {
        return true;
    }
    let head = url.split(['/', '?']).next().unwrap_or_default();
    head.find(':').is_some_and(|colon| {
        let scheme = &head[..colon];
        !scheme.is_empty() && scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    }) && url.contains("://")
}

fn is_batch(url: &str) -> bool {
    let path = url.split('?').next().unwrap_or_default().trim_start_matches('/');
    path.eq_ignore_ascii_case("$batch") || path.to_ascii_lowercase().starts_with("$batch/")
}

/// Cuts the steps `ready` (indices, in the caller's order) into envelopes: a chain (steps
/// linked by dependencies within `ready`) travels alone in its own envelope, since Graph
/// refuses a chain mixed with parallel steps, cut into segments of [`MAX_STEPS`] when it
/// is longer (a later segment goes once the one before was answered: its first step's
/// dependency is then settled); parallel steps are packed [`MAX_STEPS`] at a time. A step
/// whose dependency is not in `ready` (it already succeeded) starts a chain.
pub(crate) fn chunk(ready: &[usize], deps: &[Option<usize>]) -> Vec<Vec<usize>> {
    let in_ready: HashSet<usize> = ready.iter().copied().collect();
    // Each ready step's chain (an index into `chains`).
    let mut chains: Vec<Vec<usize>> = Vec::new();
    let mut chain_of: HashMap<usize, usize> = HashMap::with_capacity(ready.len());
    for &i in ready {
        match deps[i].filter(|d| in_ready.contains(d)).and_then(|d| chain_of.get(&d).copied()) {
            Some(c) => {
                chains[c].push(i);
                chain_of.insert(i, c);
            }
            None => {
                chain_of.insert(i, chains.len());
                chains.push(vec![i]);
            }
        }
    }
    let mut envelopes = Vec::new();
    let mut parallel: Vec<usize> = Vec::with_capacity(MAX_STEPS);
    for chain in chains {
        if chain.len() > 1 {
            envelopes.extend(chain.chunks(MAX_STEPS).map(<[usize]>::to_vec));
            continue;
        }
        parallel.extend(chain);
        if parallel.len() == MAX_STEPS {
            envelopes.push(std::mem::take(&mut parallel));
        }
    }
    if !parallel.is_empty() {
        envelopes.push(parallel);
    }
    envelopes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape<'a>(key: &'a str, depends_on: Option<&'a str>) -> Shape<'a> {
        Shape {
            key,
            url: "/deviceManagement/deviceConfigurations/a",
            depends_on,
            has_body: false,
            has_content_type: false,
        }
    }

    #[test]
    fn keys_are_unique_case_insensitively_and_not_empty() {
        let err = validate(&[shape("Step", None), shape("sTEP", None)]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid batch step: the key \"sTEP\" is used twice (keys are compared case-insensitively)"
        );
        let err = validate(&[shape(" ", None)]).unwrap_err();
        assert_eq!(err.to_string(), "invalid batch step: a step has an empty key");
    }

    #[test]
    fn urls_are_relative_and_not_batches() {
        for url in ["https://graph.microsoft.com/beta/me", "http://x/y", "//graph.microsoft.com/beta/me"] {
            let step = Shape { url, ..shape("a", None) };
            let err = validate(&[step]).unwrap_err().to_string();
            assert_eq!(
                err,
                format!("invalid batch step: \"a\": the URL {url:?} must be relative to the version root")
            );
        }
        for url in ["/$batch", "$batch", "/$BATCH?x=1"] {
            let step = Shape { url, ..shape("a", None) };
            let err = validate(&[step]).unwrap_err().to_string();
            assert_eq!(err, "invalid batch step: \"a\": a batch cannot contain another $batch", "{url}");
        }
        let fine = Shape { url: "/deviceManagement/deviceConfigurations?$filter=a:b", ..shape("a", None) };
        assert!(validate(&[fine]).is_ok());
    }

    #[test]
    fn a_body_needs_a_content_type() {
        let step = Shape { has_body: true, ..shape("a", None) };
        let err = validate(&[step]).unwrap_err().to_string();
        assert_eq!(err, "invalid batch step: \"a\" has a body but no Content-Type header");
        let step = Shape { has_body: true, has_content_type: true, ..shape("a", None) };
        assert!(validate(&[step]).is_ok());
    }

    #[test]
    fn dependencies_are_earlier_steps_forming_chains() {
        assert_eq!(
            validate(&[shape("a", None), shape("b", Some("A")), shape("c", Some("b"))]).unwrap(),
            [None, Some(0), Some(1)]
        );
        let err = validate(&[shape("a", Some("b")), shape("b", None)]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid batch step: \"a\" depends on \"b\", which is not an earlier step"
        );
        assert!(matches!(
            validate(&[shape("a", Some("a"))]),
            Err(Error::InvalidArgument { what: "batch step", .. })
        ));
        let err = validate(&[shape("a", None), shape("b", Some("a")), shape("c", Some("a"))]).unwrap_err();
        assert!(matches!(err, Error::InvalidArgument { what: "batch step", .. }));
        assert!(err.to_string().contains("\"b\" and \"c\" both depend on \"a\""), "{err}");
    }

    #[test]
    fn long_chains_are_accepted_and_cut_into_whole_segments() {
        let keys: Vec<String> = (0..45).map(|i| format!("s{i}")).collect();
        let steps: Vec<Shape<'_>> = keys
            .iter()
            .enumerate()
            .map(|(i, k)| shape(k, i.checked_sub(1).map(|p| keys[p].as_str())))
            .collect();
        let deps = validate(&steps).unwrap();
        let ready: Vec<usize> = (0..45).collect();
        let envelopes = chunk(&ready, &deps);
        assert_eq!(envelopes, [(0..20).collect::<Vec<_>>(), (20..40).collect(), (40..45).collect()]);
    }

    #[test]
    fn chunks_pack_parallel_steps_and_keep_chains_alone() {
        // 0..45 parallel, except 10 -> 11 -> 12 and 30 -> 31.
        let mut deps = vec![None; 45];
        deps[11] = Some(10);
        deps[12] = Some(11);
        deps[31] = Some(30);
        let ready: Vec<usize> = (0..45).collect();
        let envelopes = chunk(&ready, &deps);
        assert_eq!(envelopes[0], [10, 11, 12]);
        assert_eq!(envelopes[1].len(), 20);
        assert_eq!(envelopes[2], [30, 31]);
        let mut all: Vec<usize> = envelopes.concat();
        all.sort_unstable();
        assert_eq!(all, ready);
        assert!(envelopes.iter().all(|e| e.len() <= MAX_STEPS));
        assert_eq!(envelopes.len(), 4, "{envelopes:?}");
    }

    #[test]
    fn a_chain_resumes_after_its_done_part() {
        let deps = [None, Some(0), Some(1)];
        assert_eq!(chunk(&[1, 2], &deps), [vec![1, 2]]);
        assert_eq!(chunk(&[2], &deps), [vec![2]]);
    }
}
