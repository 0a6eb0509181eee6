//! Scenario names, parameters, defaults, errors and the canonical text
//! form.

use super::*;

fn sc(s: &str) -> Scenario {
    s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
}

#[test]
fn defaults_and_positional_values() {
    assert_eq!(sc("clean"), Scenario::Clean);
    assert_eq!(sc("delay"), Scenario::Delay { ms: 250 });
    assert_eq!(sc("delay:100"), Scenario::Delay { ms: 100 });
    assert_eq!(sc("delay:ms=7"), Scenario::Delay { ms: 7 });
    assert_eq!(sc("drop:5"), Scenario::Drop(Pattern::Every(5)));
    assert_eq!(sc("drop:p=20"), Scenario::Drop(Pattern::Percent(20)));
    assert_eq!(sc("BADSUM"), Scenario::BadSum(Pattern::Every(4)));
    assert_eq!(
        sc("vanish:after=5,for=3"),
        Scenario::Vanish {
            after: 5,
            duration: 3
        }
    );
    assert_eq!(
        sc("leap:delete,before=4"),
        Scenario::Leap {
            at: Date {
                year: 2016,
                month: 12,
                day: 31
            },
            before: 4,
            delete: true
        }
    );
    assert_eq!(
        sc("leap:2015-06-30"),
        Scenario::Leap {
            at: Date {
                year: 2015,
                month: 6,
                day: 30
            },
            before: 10,
            delete: false
        }
    );
    assert_eq!(
        sc("year:2000"),
        Scenario::Year {
            year: 2000,
            before: 5
        }
    );
}

#[test]
fn display_round_trips() {
    for s in [
        "clean",
        "delay:3",
        "jitter",
        "drop:p=33",
        "drop",
        "garbage:bytes=4,every=2",
        "badsum:p=10",
        "invalid:for=2,every=5,after=0",
        "leap:at=2015-06-30,before=3,delete",
        "leap",
        "rollover:weeks=2048",
        "year:2000,before=2",
        "vanish",
        "silence:after=1,for=9",
    ] {
        let a = sc(s);
        let b = sc(&a.to_string());
        assert_eq!(a, b, "{s} -> {a}");
    }
}

#[test]
fn errors_name_the_problem() {
    assert!(matches!(
        "nosuch".parse::<Scenario>(),
        Err(ScenarioError::UnknownScenario(n)) if n == "nosuch"
    ));
    assert!(matches!(
        "drop:every=0".parse::<Scenario>(),
        Err(ScenarioError::BadValue { key: "every", .. })
    ));
    assert!(matches!(
        "drop:every=2,p=3".parse::<Scenario>(),
        Err(ScenarioError::Conflict { .. })
    ));
    assert!(matches!(
        "delay:ms=1,ms=2".parse::<Scenario>(),
        Err(ScenarioError::Conflict { .. })
    ));
    assert!(matches!(
        "vanish:when=3".parse::<Scenario>(),
        Err(ScenarioError::UnknownParam { key, .. }) if key == "when"
    ));
    assert!(matches!(
        "clean:3".parse::<Scenario>(),
        Err(ScenarioError::UnknownParam { .. })
    ));
    assert!(matches!(
        "leap:at=2016-02-30".parse::<Scenario>(),
        Err(ScenarioError::BadValue { key: "at", .. })
    ));
    assert!(matches!(
        "invalid:for=5,every=3".parse::<Scenario>(),
        Err(ScenarioError::Conflict { .. })
    ));
    assert!(matches!(
        "drop:p=101".parse::<Scenario>(),
        Err(ScenarioError::BadValue { key: "p", .. })
    ));
    let msg = "jitter:max=x".parse::<Scenario>().unwrap_err().to_string();
    assert!(msg.contains("max") && msg.contains("\"x\""), "{msg}");
}

#[test]
fn one_shift_at_a_time() {
    assert!(Scenario::check_combination(&[sc("leap"), sc("drop"), sc("jitter")]).is_ok());
    assert_eq!(
        Scenario::check_combination(&[sc("leap"), sc("rollover")]),
        Err(ScenarioError::TwoShifts {
            first: "leap",
            second: "rollover"
        })
    );
}

#[test]
fn patterns() {
    let every = Pattern::Every(3);
    let hits: Vec<u64> = (0..10)
        .filter(|&i| every.hits(i, |_| unreachable!()))
        .collect();
    assert_eq!(hits, vec![2, 5, 8]);
    assert!(Pattern::Percent(50).hits(0, |p| p == 50));
    assert!(!Pattern::Every(0).hits(0, |_| true));
}

#[test]
fn leap_date_end() {
    let d: Date = "2016-12-31".parse().unwrap();
    assert_eq!(d.end_unix(), 1_483_228_800);
}
