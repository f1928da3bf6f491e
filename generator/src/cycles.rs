//! Stage 4, model (boxing): which fields need a `Box`: a type that contains itself, directly or through other types,
//! has no size. A depth-first walk over the types (in the order they were defined, fields in order) boxes each member
//! that leads back to a type still on the walk's path: exactly the edges that close a cycle, nothing more. `Vec` and
//! maps already hold their items on the heap, so only direct members (plain, `Option`, tuple) count. The walk keeps its
//! own stack, so a long chain of types cannot overflow the thread's.

use std::collections::HashMap;

use crate::ir::{TypeDef, TypeKind, TypeRef};

pub fn box_cycles(types: &mut [TypeDef]) {
    let index: HashMap<String, usize> = types.iter().enumerate().map(|(i, t)| (t.name.clone(), i)).collect();
    // For each type, its direct members: (member index, target type).
    let edges: Vec<Vec<(usize, usize)>> = types
        .iter()
        .map(|def| {
            let members: Vec<&TypeRef> = match &def.kind {
                TypeKind::Struct(s) => s.fields.iter().map(|f| &f.ty).collect(),
                TypeKind::Union(u) => u.variants.iter().map(|v| &v.ty).collect(),
                TypeKind::StringEnum(_) | TypeKind::IntegerEnum(_) => Vec::new(),
            };
            members
                .iter()
                .enumerate()
                .flat_map(|(member, ty)| direct_targets(ty).into_iter().map(move |name| (member, name)))
                .filter_map(|(member, name)| index.get(name).map(|&target| (member, target)))
                .collect()
        })
        .collect();

    #[derive(Clone, Copy, PartialEq)]
    enum State {
        New,
        OnPath,
        Done,
    }
    let mut state = vec![State::New; types.len()];
    let mut to_box: Vec<(usize, usize)> = Vec::new();
    for start in 0..types.len() {
        if state[start] != State::New {
            continue;
        }
        state[start] = State::OnPath;
        let mut path: Vec<(usize, usize)> = vec![(start, 0)];
        while let Some(&mut (node, ref mut next)) = path.last_mut() {
            if let Some(&(member, target)) = edges[node].get(*next) {
                *next += 1;
                match state[target] {
                    State::New => {
                        state[target] = State::OnPath;
                        path.push((target, 0));
                    }
                    State::OnPath => to_box.push((node, member)),
                    State::Done => {}
                }
            } else {
                state[node] = State::Done;
                path.pop();
            }
        }
    }
    for (owner, member) in to_box {
        match &mut types[owner].kind {
            TypeKind::Struct(s) => s.fields[member].boxed = true,
            TypeKind::Union(u) => u.variants[member].boxed = true,
            TypeKind::StringEnum(_) | TypeKind::IntegerEnum(_) => {}
        }
    }
}

/// The named types a member holds inline (not behind a `Vec` or map).
fn direct_targets(ty: &TypeRef) -> Vec<&str> {
    match ty {
        TypeRef::Named(name) => vec![name.as_str()],
        TypeRef::Tuple(items) => items.iter().flat_map(direct_targets).collect(),
        _ => Vec::new(),
    }
}
