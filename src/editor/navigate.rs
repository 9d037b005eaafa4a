//! Moving the selection with the arrows: to the nearest box in that direction, as a tiling
//! window manager moves focus. Pure geometry on the boxes' rectangles.

/// A direction on the canvas.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dir {
    Left,
    Right,
    Up,
    Down,
}

impl Dir {
    /// The direction of a step (dx, dy), by its larger part.
    pub fn of(dx: i32, dy: i32) -> Option<Dir> {
        match (dx.signum(), dy.signum()) {
            (0, 0) => None,
            _ if dx.abs() >= dy.abs() => Some(if dx > 0 { Dir::Right } else { Dir::Left }),
            _ => Some(if dy > 0 { Dir::Down } else { Dir::Up }),
        }
    }
}

/// A box on the canvas: left, top, width, height in cells.
pub type Rect = (i32, i32, i32, i32);

fn center(r: Rect) -> (i64, i64) {
    // Doubled, so centres stay whole numbers.
    (
        2 * i64::from(r.0) + i64::from(r.2),
        2 * i64::from(r.1) + i64::from(r.3),
    )
}

/// The box nearest to `from` in `dir`: among the boxes whose centre lies that way, the one
/// with the least distance along the direction plus twice the distance across it (so a box
/// straight ahead wins over a closer one off to the side). Cells are about twice as tall as
/// wide, so vertical distances count double.
pub fn nearest<T: Copy>(
    from: Rect,
    boxes: impl IntoIterator<Item = (T, Rect)>,
    dir: Dir,
) -> Option<T> {
    let (fx, fy) = center(from);
    boxes
        .into_iter()
        .filter(|(_, r)| *r != from)
        .filter_map(|(t, r)| {
            let (x, y) = center(r);
            let (dx, dy) = (x - fx, (y - fy) * 2);
            let (along, across) = match dir {
                Dir::Right => (dx, dy),
                Dir::Left => (-dx, dy),
                Dir::Down => (dy, dx),
                Dir::Up => (-dy, dx),
            };
            (along > 0).then_some((along + 2 * across.abs(), t))
        })
        .min_by_key(|(d, _)| *d)
        .map(|(_, t)| t)
}

#[cfg(test)]
mod tests {
    use super::*;

    const W: i32 = 18;
    const H: i32 = 4;

    fn at(x: i32, y: i32) -> Rect {
        (x, y, W, H)
    }

    #[test]
    fn the_box_straight_ahead_wins_over_a_nearer_one_aside() {
        let boxes = [
            ("ahead", at(60, 10)),
            ("aside", at(25, 22)),
            ("behind", at(0, 10)),
            ("here", at(20, 10)),
        ];
        assert_eq!(nearest(at(20, 10), boxes, Dir::Right), Some("ahead"));
        assert_eq!(nearest(at(20, 10), boxes, Dir::Left), Some("behind"));
        assert_eq!(nearest(at(20, 10), boxes, Dir::Down), Some("aside"));
        assert_eq!(nearest(at(20, 10), boxes, Dir::Up), None);
    }

    #[test]
    fn the_nearer_of_two_in_a_column_is_chosen() {
        let boxes = [("far", at(0, 30)), ("near", at(0, 10)), ("me", at(0, 0))];
        assert_eq!(nearest(at(0, 0), boxes, Dir::Down), Some("near"));
        assert_eq!(nearest(at(0, 30), boxes, Dir::Up), Some("near"));
    }

    #[test]
    fn a_step_has_the_direction_of_its_larger_part() {
        assert_eq!(Dir::of(-1, 0), Some(Dir::Left));
        assert_eq!(Dir::of(0, 3), Some(Dir::Down));
        assert_eq!(Dir::of(5, -2), Some(Dir::Right));
        assert_eq!(Dir::of(0, 0), None);
    }
}
