//! Kusto's graph semantics: the documentation's examples of make-graph,
//! graph-match, graph-shortest-paths, graph-to-table and
//! graph-mark-components and of the graph functions, with their printed
//! outputs; the pages' errors where the printed output cannot come from
//! the printed query; and the errors of graphs used where they cannot be.
//! Kusto promises no row order for these operators, so documented outputs
//! are compared as sets of rows unless the query sorts.

use crate::common;

use common::{error, table, tidy, try_run};
use quarry::kql::check::check;

/// Asserts a query's rows, in any order (header first).
#[track_caller]
fn rows(query: &str, expected: &str) {
    let got = try_run(query).unwrap_or_else(|e| panic!("{query}\n{}", e.render(query)));
    let sorted = |t: &str| {
        let mut lines: Vec<String> = t.lines().map(str::to_string).collect();
        let header = lines.remove(0);
        lines.sort();
        (header, lines)
    };
    assert_eq!(
        sorted(&got),
        sorted(&tidy(expected)),
        "\nquery: {query}\n--- got ---\n{got}\n"
    );
}

/// make-graph-operator.md, "Edges and nodes graph".
#[test]
fn edges_and_nodes_graph() {
    rows(
        r#"let nodes = datatable(name:string, type:string, age:int) 
[ 
  "Alice", "Person", 23,  
  "Bob", "Person", 31,  
  "Eve", "Person", 17,  
  "Mallory", "Person", 29,  
  "Trent", "System", 99 
]; 
let edges = datatable(Source:string, Destination:string, edge_type:string) 
[ 
  "Alice", "Bob", "communicatesWith",  
  "Alice", "Trent", "trusts",  
  "Bob", "Trent", "hasPermission",  
  "Eve", "Alice", "attacks",  
  "Mallory", "Alice", "attacks",  
  "Mallory", "Bob", "attacks"  
]; 
edges 
| make-graph Source --> Destination with nodes on name 
| graph-match (mallory)-[attacks]->(compromised)-[hasPermission]->(trent) 
  where mallory.name == "Mallory" and trent.name == "Trent" and attacks.edge_type == "attacks" and hasPermission.edge_type == "hasPermission" 
  project Attacker = mallory.name, Compromised = compromised.name, System = trent.name"#,
        r#"Attacker:string | Compromised:string | System:string
        "Mallory" | "Bob" | "Trent""#,
    );
}

/// make-graph-operator.md, "Default node identifier": the id is the node's `name` property.
#[test]
fn default_node_identifier() {
    rows(
        r#"let edges = datatable(source:string, destination:string, edge_type:string) 
[ 
  "Alice", "Bob", "communicatesWith",  
  "Alice", "Trent", "trusts",  
  "Bob", "Trent", "hasPermission",  
  "Eve", "Alice", "attacks",  
  "Mallory", "Alice", "attacks",  
  "Mallory", "Bob", "attacks"  
]; 
edges 
| make-graph source --> destination with_node_id=name
| graph-match (mallory)-[attacks]->(compromised)-[hasPermission]->(trent) 
  where mallory.name == "Mallory" and trent.name == "Trent" and attacks.edge_type == "attacks" and hasPermission.edge_type == "hasPermission" 
  project Attacker = mallory.name, Compromised = compromised.name, System = trent.name"#,
        r#"Attacker:string | Compromised:string | System:string
        "Mallory" | "Bob" | "Trent""#,
    );
}

/// make-graph-operator.md, "Partitioned graph": one graph per tenant, the same graph-match on each.
#[test]
fn partitioned_graph() {
    rows(
        r#"// Nodes table representing users across multiple tenants (organizations)
let nodes = datatable(userId:string, tenantId:string, name:string, department:string, role:string, location:dynamic) 
[
    // Tenant: CompanyA - San Francisco Bay Area
    "u001", "CompanyA", "Alice Johnson", "Engineering", "Senior Developer", dynamic({"type": "Point", "coordinates": [-122.4194, 37.7749]}),
    "u002", "CompanyA", "Bob Smith", "Engineering", "Team Lead", dynamic({"type": "Point", "coordinates": [-122.4094, 37.7849]}),
    "u003", "CompanyA", "Charlie Black", "Marketing", "Manager", dynamic({"type": "Point", "coordinates": [-122.4294, 37.7649]}),
    "u004", "CompanyA", "Diana Finch", "HR", "Director", dynamic({"type": "Point", "coordinates": [-122.3994, 37.7949]}),
    "u005", "CompanyA", "Eve Wilson", "Engineering", "Junior Developer", dynamic({"type": "Point", "coordinates": [-122.4394, 37.7549]}),
    // Tenant: CompanyB - New York Area  
    "u006", "CompanyB", "Frank Miller", "Sales", "Account Manager", dynamic({"type": "Point", "coordinates": [-74.0060, 40.7128]}),
    "u007", "CompanyB", "Grace Lee", "Engineering", "Senior Developer", dynamic({"type": "Point", "coordinates": [-74.0160, 40.7228]}),
    "u008", "CompanyB", "Henry Davis", "Marketing", "Specialist", dynamic({"type": "Point", "coordinates": [-73.9960, 40.7028]}),
    "u009", "CompanyB", "Ivy Chen", "Engineering", "Team Lead", dynamic({"type": "Point", "coordinates": [-74.0260, 40.7328]}),
    "u010", "CompanyB", "Jack Thompson", "Operations", "Manager", dynamic({"type": "Point", "coordinates": [-73.9860, 40.6928]}),
    // Tenant: CompanyC - Austin Area
    "u011", "CompanyC", "Kate Anderson", "Finance", "Analyst", dynamic({"type": "Point", "coordinates": [-97.7431, 30.2672]}),
    "u012", "CompanyC", "Liam Murphy", "Engineering", "Architect", dynamic({"type": "Point", "coordinates": [-97.7331, 30.2772]}),
    "u013", "CompanyC", "Maya Patel", "Product", "Manager", dynamic({"type": "Point", "coordinates": [-97.7531, 30.2572]}),
    "u014", "CompanyC", "Noah Garcia", "Engineering", "Developer", dynamic({"type": "Point", "coordinates": [-97.7631, 30.2472]}),
    "u015", "CompanyC", "Olivia Rodriguez", "Marketing", "Director", dynamic({"type": "Point", "coordinates": [-97.7231, 30.2872]})
];
// Edges table representing relationships/interactions between users
let edges = datatable(sourceUserId:string, targetUserId:string, tenantId:string, relationshipType:string, strength:int)
[
    // CompanyA relationships
    "u001", "u002", "CompanyA", "reportsTo", 9,
    "u005", "u002", "CompanyA", "reportsTo", 8,
    "u002", "u003", "CompanyA", "collaborates", 6,
    "u001", "u005", "CompanyA", "mentors", 7,
    "u003", "u004", "CompanyA", "collaborates", 5,
    "u001", "u003", "CompanyA", "communicates", 4,
    // CompanyB relationships
    "u007", "u009", "CompanyB", "reportsTo", 9,
    "u006", "u010", "CompanyB", "reportsTo", 8,
    "u008", "u006", "CompanyB", "collaborates", 6,
    "u009", "u010", "CompanyB", "communicates", 5,
    "u007", "u008", "CompanyB", "mentors", 7,
    "u006", "u007", "CompanyB", "collaborates", 6,
    // CompanyC relationships  
    "u014", "u012", "CompanyC", "reportsTo", 9,
    "u012", "u013", "CompanyC", "collaborates", 7,
    "u011", "u013", "CompanyC", "collaborates", 6,
    "u013", "u015", "CompanyC", "reportsTo", 8,
    "u012", "u015", "CompanyC", "communicates", 5,
    "u011", "u014", "CompanyC", "mentors", 6
];
edges
| make-graph sourceUserId --> targetUserId with nodes on userId partitioned-by tenantId (
    graph-match cycles=none (n1)-[e*2..4]->(n2)
        where n1.userId != n2.userId and all(e, relationshipType == "collaborates") and
            geo_distance_2points(todouble(n1.location.coordinates[0]), todouble(n1.location.coordinates[1]),
                             todouble(n2.location.coordinates[0]), todouble(n2.location.coordinates[1])) < 10000
        project Start = strcat(n1.name, " (", n1.tenantId, ")"), Tenants = map(e, tenantId), End = strcat(n2.name, " (", n2.tenantId, ")")
)"#,
        r#"Start:string | Tenants:dynamic | End:string
        "Bob Smith (CompanyA)" | ["CompanyA","CompanyA"] | "Diana Finch (CompanyA)"
        "Henry Davis (CompanyB)" | ["CompanyB","CompanyB"] | "Grace Lee (CompanyB)""#,
    );
}

/// graph-match-operator.md: employees under Alice younger than 30, with the managers along the path (`map()` lists them in pattern order, from Alice).
#[test]
fn variable_length_reporting_paths() {
    rows(
        r#"let employees = datatable(name:string, age:long) 
[ 
  "Alice", 32,  
  "Bob", 31,  
  "Eve", 27,  
  "Joe", 29,  
  "Chris", 45, 
  "Alex", 35,
  "Ben", 23,
  "Richard", 39,
]; 
let reports = datatable(employee:string, manager:string) 
[ 
  "Bob", "Alice",  
  "Chris", "Alice",  
  "Eve", "Bob",
  "Ben", "Chris",
  "Joe", "Alice", 
  "Richard", "Bob"
]; 
reports 
| make-graph employee --> manager with employees on name 
| graph-match (alice)<-[reports*1..5]-(employee)
  where alice.name == "Alice" and employee.age < 30
  project employee = employee.name, age = employee.age, reportingPath = map(reports, manager)"#,
        r#"employee:string | age:long | reportingPath:dynamic
        "Eve" | 27 | ["Alice","Bob"]
        "Ben" | 23 | ["Alice","Chris"]
        "Joe" | 29 | ["Alice"]"#,
    );
}

/// graph-match-operator.md: the attack path to Apollo.
#[test]
fn attack_path() {
    rows(
        r#"let Entities = datatable(name:string, type:string, age:long) 
[ 
  "Alice", "Person", 23,  
  "Bob", "Person", 31,  
  "Eve", "Person", 17,  
  "Mallory", "Person", 29,  
  "Apollo", "System", 99 
]; 
let Actions = datatable(source:string, destination:string, action_type:string) 
[ 
  "Alice", "Bob", "communicatesWith",  
  "Alice", "Apollo", "trusts",  
  "Bob", "Apollo", "hasPermission",  
  "Eve", "Alice", "attacks",  
  "Mallory", "Alice", "attacks",  
  "Mallory", "Bob", "attacks"  
]; 
Actions 
| make-graph source --> destination with Entities on name 
| graph-match (mallory)-[attacks]->(compromised)-[hasPermission]->(apollo) 
  where mallory.name == "Mallory" and apollo.name == "Apollo" and attacks.action_type == "attacks" and hasPermission.action_type == "hasPermission" 
  project Attacker = mallory.name, Compromised = compromised.name, System = apollo.name"#,
        r#"Attacker:string | Compromised:string | System:string
        "Mallory" | "Bob" | "Apollo""#,
    );
}

/// graph-match-operator.md: a second sequence through `compromised`, walked either way (`--`).
#[test]
fn two_sequences_share_a_node() {
    rows(
        r#"let Entities = datatable(name:string, type:string, age:long) 
[ 
  "Alice", "Person", 23,  
  "Bob", "Person", 31,  
  "Eve", "Person", 17,  
  "Mallory", "Person", 29,  
  "Apollo", "System", 99 
]; 
let Actions = datatable(source:string, destination:string, action_type:string) 
[ 
  "Alice", "Bob", "communicatesWith",  
  "Alice", "Apollo", "trusts",  
  "Bob", "Apollo", "hasPermission",  
  "Eve", "Alice", "attacks",  
  "Mallory", "Alice", "attacks",  
  "Mallory", "Bob", "attacks"  
]; 
Actions 
| make-graph source --> destination with Entities on name 
| graph-match (mallory)-[attacks]->(compromised)-[hasPermission]->(apollo), (compromised)-[communicates]-(alice) 
  where mallory.name == "Mallory" and apollo.name == "Apollo" and attacks.action_type == "attacks" and hasPermission.action_type == "hasPermission" and alice.name == "Alice"
  project Attacker = mallory.name, Compromised = compromised.name, System = apollo.name"#,
        r#"Attacker:string | Compromised:string | System:string
        "Mallory" | "Bob" | "Apollo""#,
    );
}

/// graph-to-table-operator.md: the ids are Kusto's hash() of the node ids, as printed.
#[test]
fn edges_with_source_and_target_ids() {
    rows(
        r#"let nodes = datatable(name:string, type:string, age:long) 
[ 
	"Alice", "Person", 23,  
	"Bob", "Person", 31,  
	"Eve", "Person", 17,  
	"Mallory", "Person", 29,  
	"Trent", "System", 99 
]; 
let edges = datatable(source:string, destination:string, edge_type:string) 
[ 
	"Alice", "Bob", "communicatesWith",  
	"Alice", "Trent", "trusts",  
	"Bob", "Trent", "hasPermission",  
	"Eve", "Alice", "attacks",  
	"Mallory", "Alice", "attacks",  
	"Mallory", "Bob", "attacks"  
]; 
edges 
| make-graph source --> destination with nodes on name
| graph-to-table edges with_source_id=SourceId with_target_id=TargetId"#,
        r#"SourceId:long | TargetId:long | source:string | destination:string | edge_type:string
        -3122868243544336885 | -7133945255344544237 | "Alice" | "Bob" | "communicatesWith"
        -3122868243544336885 | 2533909231875758225 | "Alice" | "Trent" | "trusts"
        -7133945255344544237 | 2533909231875758225 | "Bob" | "Trent" | "hasPermission"
        4363395278938690453 | -3122868243544336885 | "Eve" | "Alice" | "attacks"
        3855580634910899594 | -3122868243544336885 | "Mallory" | "Alice" | "attacks"
        3855580634910899594 | -7133945255344544237 | "Mallory" | "Bob" | "attacks""#,
    );
}

/// graph-to-table-operator.md, "Get nodes": Mallory is only in the edges, so it has its id and no other property.
#[test]
fn nodes_with_node_id() {
    rows(
        r#"let nodes = datatable(name:string, type:string, age:long) 
[ 
	"Alice", "Person", 23,  
	"Bob", "Person", 31,  
	"Eve", "Person", 17,
	"Trent", "System", 99
]; 
let edges = datatable(source:string, destination:string, edge_type:string) 
[ 
	"Alice", "Bob", "communicatesWith",  
	"Alice", "Trent", "trusts",  
	"Bob", "Trent", "hasPermission",  
	"Eve", "Alice", "attacks",  
	"Mallory", "Alice", "attacks",  
	"Mallory", "Bob", "attacks"
]; 
edges 
| make-graph source --> destination with nodes on name
| graph-to-table nodes with_node_id=NodeId"#,
        r#"NodeId:long | name:string | type:string | age:long
        -3122868243544336885 | "Alice" | "Person" | 23
        -7133945255344544237 | "Bob" | "Person" | 31
        4363395278938690453 | "Eve" | "Person" | 17
        2533909231875758225 | "Trent" | "System" | 99
        3855580634910899594 | "Mallory" | "" | null"#,
    );
}

/// graph-shortest-paths-operator.md: output=any (the default) gives one path.
#[test]
fn shortest_path_any() {
    rows(
        r#"let connections = datatable(from_station:string, to_station:string, line:string) 
[ 
  "Central", "North", "red",
  "North", "Central", "red", 
  "Central", "South",  "red", 
  "South", "Central",  "red", 
  "South", "South-West", "red", 
  "South-West", "South", "red", 
  "South-West", "West", "red", 
  "West", "South-West", "red", 
  "Central", "East", "blue", 
  "East", "Central", "blue", 
  "Central", "West", "blue",
  "West", "Central", "blue",
]; 
connections 
| make-graph from_station --> to_station with_node_id=station
| graph-shortest-paths (start)-[connections*1..5]->(destination)
  where start.station == "South-West" and destination.station == "North"
  project from = start.station, path = map(connections, to_station), line = map(connections, line), to = destination.station"#,
        r#"from:string | path:dynamic | line:dynamic | to:string
        "South-West" | ["South","Central","North"] | ["red","red","red"] | "North""#,
    );
}

/// graph-shortest-paths-operator.md: output=all gives both paths of three connections.
#[test]
fn shortest_paths_all() {
    rows(
        r#"let connections = datatable(from_station:string, to_station:string, line:string) 
[ 
  "Central", "North", "red",
  "North", "Central", "red", 
  "Central", "South",  "red", 
  "South", "Central",  "red", 
  "South", "South-West", "red", 
  "South-West", "South", "red", 
  "South-West", "West", "red", 
  "West", "South-West", "red", 
  "Central", "East", "blue", 
  "East", "Central", "blue", 
  "Central", "West", "blue",
  "West", "Central", "blue",
]; 
connections 
| make-graph from_station --> to_station with_node_id=station
| graph-shortest-paths output=all (start)-[connections*1..5]->(destination)
  where start.station == "South-West" and destination.station == "North"
  project from = start.station, path = map(connections, to_station), line = map(connections, line), to = destination.station"#,
        r#"from:string | path:dynamic | line:dynamic | to:string
        "South-West" | ["South","Central","North"] | ["red","red","red"] | "North"
        "South-West" | ["West","Central","North"] | ["red","blue","red"] | "North""#,
    );
}

/// graph-mark-components-operator.md: two weak components, numbered in node order.
#[test]
fn components_of_a_family_graph() {
    rows(
        r#"let ChildOf = datatable(child:string, parent:string) 
[ 
  "Alice", "Bob",  
  "Carol", "Alice",  
  "Carol", "Dave",  
  "Greg", "Alice",  
  "Greg", "Dave",  
  "Howard", "Alice",  
  "Howard", "Dave",  
  "Eve", "Frank",  
  "Frank", "Mallory",
  "Eve", "Kirk",
]; 
ChildOf 
| make-graph child --> parent with_node_id=name
| graph-mark-components with_component_id = family
| graph-to-table nodes"#,
        r#"name:string | family:long
        "Alice" | 0
        "Bob" | 0
        "Carol" | 0
        "Dave" | 0
        "Greg" | 0
        "Howard" | 0
        "Eve" | 1
        "Frank" | 1
        "Mallory" | 1
        "Kirk" | 1"#,
    );
}

/// graph-mark-components-operator.md: the component id read in graph-match, then summarized.
#[test]
fn greatest_ancestor_per_family() {
    rows(
        r#"let ChildOf = datatable(child:string, parent:string) 
[ 
  "Alice", "Bob",  
  "Carol", "Alice",  
  "Carol", "Dave",  
  "Greg", "Alice",  
  "Greg", "Dave",  
  "Howard", "Alice",  
  "Howard", "Dave",  
  "Eve", "Frank",  
  "Frank", "Mallory",
  "Eve", "Kirk",
]; 
ChildOf 
| make-graph child --> parent with_node_id=name
| graph-mark-components with_component_id = family
| graph-match (descendant)-[childOf*1..5]->(ancestor)
  project name = ancestor.name, lineage = map(childOf, child), family = ancestor.family
| summarize (generations, name) = arg_max(array_length(lineage),name) by family"#,
        r#"family:long | generations:long | name:string
        0 | 2 | "Bob"
        1 | 2 | "Mallory""#,
    );
}

/// all-graph-function.md: round trips, out on red and back on blue; edges are not repeated (cycles=unique_edges) but stations are.
#[test]
fn all_round_trips_red_out_blue_back() {
    rows(
        r#"let connections = datatable(from_station:string, to_station:string, line:string) 
[ 
  "Central", "North", "red",
  "North", "Central", "red", 
  "Central", "South",  "red", 
  "South", "Central",  "red", 
  "South", "South-West", "red", 
  "South-West", "South", "red", 
  "South-West", "West", "red", 
  "West", "South-West", "red", 
  "Central", "East", "blue", 
  "East", "Central", "blue", 
  "Central", "West", "blue",
  "West", "Central", "blue",
]; 
connections 
| make-graph from_station --> to_station with_node_id=station
| graph-match (start)-[outward*1..5]->(destination)-[return*1..5]->(start)
  where start.station != destination.station and 
        all(outward, line == "red") and
        all(return, line == "blue") 
  project from = start.station, 
          outward_stations = strcat_array(map(inner_nodes(outward), station), "->"), 
          to = destination.station, 
          return_stations = strcat_array(map(inner_nodes(return), station), "->"), 
          back=start.station"#,
        r#"from:string | outward_stations:string | to:string | return_stations:string | back:string
        "Central" | "North->Central->South->South-West" | "West" | "" | "Central"
        "Central" | "North->Central->South->South-West" | "West" | "Central->East" | "Central"
        "Central" | "South->South-West" | "West" | "" | "Central"
        "Central" | "South->South-West" | "West" | "Central->East" | "Central"
        "West" | "South-West->South" | "Central" | "East->Central" | "West"
        "West" | "South-West->South" | "Central" | "" | "West"
        "West" | "South-West->South->Central->North" | "Central" | "East->Central" | "West"
        "West" | "South-West->South->Central->North" | "Central" | "" | "West""#,
    );
}

/// all-graph-function.md: the shortest path through stations with Wi-Fi.
#[test]
fn all_inner_nodes_with_wifi() {
    rows(
        r#"let connections = datatable(from_station:string, to_station:string, line:string) 
[ 
  "Central", "North", "red",
  "North", "Central", "red", 
  "Central", "South",  "red", 
  "South", "Central",  "red", 
  "South", "South-West", "red", 
  "South-West", "South", "red", 
  "South-West", "West", "red", 
  "West", "South-West", "red", 
  "Central", "East", "blue", 
  "East", "Central", "blue", 
  "Central", "West", "blue",
  "West", "Central", "blue",
]; 
let stations = datatable(station:string, wifi: bool) 
[ 
  "Central", true,
  "North", false,
  "South", false,
  "South-West", true,
  "West", true,
  "East", false
];
connections 
| make-graph from_station --> to_station with stations on station
| graph-shortest-paths (start)-[connections*2..5]->(destination)
  where start.station == "South-West" and
        destination.station == "North" and 
        all(inner_nodes(connections), wifi)
  project from = start.station, 
          stations = strcat_array(map(inner_nodes(connections), station), "->"), 
          to = destination.station"#,
        r#"from:string | stations:string | to:string
        "South-West" | "West->Central" | "North""#,
    );
}

/// any-graph-function.md: routes that take a train at least once.
#[test]
fn any_route_by_train() {
    rows(
        r#"// Locations table (nodes)
let Locations = datatable(LocationName: string, LocationType: string) [
    "New York", "City",
    "San Francisco", "City",
    "Chicago", "City",
    "Los Angeles", "City",
    "Seattle", "Warehouse"
];
// Routes table (edges)
let Routes = datatable(OriginLocationID: string, DestinationLocationID: string, TransportMode: string) [
    "New York", "San Francisco", "Truck",
    "New York", "Chicago", "Train",
    "San Francisco", "Los Angeles", "Truck",
    "Chicago", "Seattle", "Train",
    "Los Angeles", "New York", "Truck",
    "Seattle", "San Francisco", "Train"
];
Routes
| make-graph OriginLocationID --> DestinationLocationID with Locations on LocationName
| graph-match (src)-[route*1..2]->(dest)
  where any(route, TransportMode == "Train")
  project src.LocationName, 
        dest.LocationName, 
        route_TransportModes = map(route, TransportMode)"#,
        r#"src_LocationName:string | dest_LocationName:string | route_TransportModes:dynamic
        "New York" | "Chicago" | ["Train"]
        "New York" | "Seattle" | ["Train","Train"]
        "Chicago" | "Seattle" | ["Train"]
        "Chicago" | "San Francisco" | ["Train","Train"]
        "Los Angeles" | "Chicago" | ["Truck","Train"]
        "Seattle" | "San Francisco" | ["Train"]
        "Seattle" | "Los Angeles" | ["Train","Truck"]"#,
    );
}

/// any-graph-function.md: paths without a station twice (cycles=none) through at least one station with Wi-Fi.
#[test]
fn any_inner_node_with_wifi() {
    rows(
        r#"let connections = datatable(from_station:string, to_station:string, line:string) 
[ 
  "Central", "North", "red",
  "North", "Central", "red", 
  "Central", "South",  "red", 
  "South", "Central",  "red", 
  "South", "South-West", "red", 
  "South-West", "South", "red", 
  "South-West", "West", "red", 
  "West", "South-West", "red", 
  "Central", "East", "blue", 
  "East", "Central", "blue", 
  "Central", "West", "blue",
  "West", "Central", "blue",
]; 
let stations = datatable(station:string, wifi: bool) 
[ 
  "Central", true,
  "North", false,
  "South", false,
  "South-West", true,
  "West", true,
  "East", false
];
connections 
| make-graph from_station --> to_station with stations on station
| graph-match cycles=none  (start)-[connections*2..5]->(destination)
  where start.station == "South-West" and
        destination.station == "North" and 
        any(inner_nodes(connections), wifi)
  project from = start.station, 
          stations = strcat_array(map(inner_nodes(connections), station), "->"), 
          to = destination.station"#,
        r#"from:string | stations:string | to:string
        "South-West" | "South->Central" | "North"
        "South-West" | "West->Central" | "North""#,
    );
}

/// inner-nodes-graph-function.md: Alice's organization where every manager in between is under 40.
#[test]
fn inner_nodes_of_the_reporting_path() {
    rows(
        r#"let employees = datatable(name:string, age:long) 
[ 
  "Alice", 32,  
  "Bob", 31,  
  "Eve", 27,  
  "Joe", 29,  
  "Chris", 45, 
  "Alex", 35,
  "Ben", 23,
  "Richard", 39,
]; 
let reports = datatable(employee:string, manager:string) 
[ 
  "Bob", "Alice",  
  "Chris", "Alice",  
  "Eve", "Bob",
  "Ben", "Chris",
  "Joe", "Alice", 
  "Richard", "Bob"
]; 
reports 
| make-graph employee --> manager with employees on name 
| graph-match (manager)<-[reports*1..5]-(employee)
  where manager.name == "Alice" and all(inner_nodes(reports), age < 40)
  project employee = employee.name, manager = manager.name, reportingPath = map(inner_nodes(reports), name)"#,
        r#"employee:string | manager:string | reportingPath:dynamic
        "Bob" | "Alice" | []
        "Eve" | "Alice" | ["Bob"]
        "Richard" | "Alice" | ["Bob"]
        "Chris" | "Alice" | []
        "Joe" | "Alice" | []"#,
    );
}

/// map-graph-function.md: the line of each connection of the shortest route.
#[test]
fn map_station_and_line() {
    rows(
        r#"let connections = datatable(from_station:string, to_station:string, line:string) 
[ 
  "Central", "North", "red",
  "North", "Central", "red", 
  "Central", "South",  "red", 
  "South", "Central",  "red", 
  "South", "South-West", "red", 
  "South-West", "South", "red", 
  "South-West", "West", "red", 
  "West", "South-West", "red", 
  "Central", "East", "blue", 
  "East", "Central", "blue", 
  "Central", "West", "blue",
  "West", "Central", "blue",
]; 
connections 
| make-graph from_station --> to_station with_node_id=station
| graph-shortest-paths (start)-[connections*1..5]->(destination)
  where start.station == "South-West" and destination.station == "North"
  project from = start.station, path = map(connections, strcat(to_station, " (", line, ")")), to = destination.station"#,
        r#"from:string | path:dynamic | to:string
        "South-West" | ["South (red)","Central (red)","North (red)"] | "North""#,
    );
}

/// map-graph-function.md: stopovers, and those with Wi-Fi.
#[test]
fn map_stopovers_with_wifi() {
    rows(
        r#"let connections = datatable(from_station:string, to_station:string, line:string) 
[ 
  "Central", "North", "red",
  "North", "Central", "red", 
  "Central", "South",  "red", 
  "South", "Central",  "red", 
  "South", "South-West", "red", 
  "South-West", "South", "red", 
  "South-West", "West", "red", 
  "West", "South-West", "red", 
  "Central", "East", "blue", 
  "East", "Central", "blue", 
  "Central", "West", "blue",
  "West", "Central", "blue",
]; 
let stations = datatable(station:string, wifi:bool) 
[ 
  "Central", true,
  "North", false,
  "South", false,
  "South-West", true,
  "West", true,
  "East", false
];
connections 
| make-graph from_station --> to_station with stations on station
| graph-match cycles=none (start)-[connections*1..5]->(destination)
  where start.station == "South-West" and destination.station == "East"
  project stopovers = strcat_array(map(inner_nodes(connections), station), "->"),
          stopovers_with_wifi = set_intersect(map(inner_nodes(connections), station), map(inner_nodes(connections), iff(wifi, station, "")))"#,
        r#"stopovers:string | stopovers_with_wifi:dynamic
        "South->Central" | ["Central"]
        "West->Central" | ["West","Central"]"#,
    );
}

/// node-degree-out.md: an unnamed node_degree_out(src) is named node_degree_out.
#[test]
fn node_degree_out_of_routes() {
    rows(
        r#"// Locations table (nodes)
let Locations = datatable(LocationName: string, LocationType: string) [
    "New York", "City",
    "San Francisco", "City",
    "Chicago", "City",
    "Los Angeles", "City",
    "Seattle", "Warehouse"
];
// Routes table (edges)
let Routes = datatable(OriginLocationID: string, DestinationLocationID: string, TransportMode: string) [
    "New York", "San Francisco", "Truck",
    "New York", "Chicago", "Train",
    "San Francisco", "Los Angeles", "Truck",
    "Chicago", "Seattle", "Train",
    "Los Angeles", "New York", "Truck",
    "Seattle", "San Francisco", "Train"
];
Routes
| make-graph OriginLocationID --> DestinationLocationID with Locations on LocationName
| graph-match (src)-[route*1..2]->(dest)
project src.LocationName, 
        dest.LocationName, 
        node_degree_out(src),
        route_TransportModes = map(route, TransportMode),
        route_nodes_degree_out = map(inner_nodes(route), node_degree_out())"#,
        r#"src_LocationName:string | dest_LocationName:string | node_degree_out:long | route_TransportModes:dynamic | route_nodes_degree_out:dynamic
        "New York" | "San Francisco" | 2 | ["Truck"] | []
        "New York" | "Los Angeles" | 2 | ["Truck","Truck"] | [1]
        "New York" | "Chicago" | 2 | ["Train"] | []
        "New York" | "Seattle" | 2 | ["Train","Train"] | [1]
        "San Francisco" | "Los Angeles" | 1 | ["Truck"] | []
        "San Francisco" | "New York" | 1 | ["Truck","Truck"] | [1]
        "Chicago" | "Seattle" | 1 | ["Train"] | []
        "Chicago" | "San Francisco" | 1 | ["Train","Train"] | [1]
        "Los Angeles" | "New York" | 1 | ["Truck"] | []
        "Los Angeles" | "San Francisco" | 1 | ["Truck","Truck"] | [2]
        "Los Angeles" | "Chicago" | 1 | ["Truck","Train"] | [2]
        "Seattle" | "San Francisco" | 1 | ["Train"] | []
        "Seattle" | "Los Angeles" | 1 | ["Train","Truck"] | [1]"#,
    );
}

/// graph-best-practices.md: the graph of filtered tables, edges walked either way.
#[test]
fn best_practices_filtered_graph() {
    rows(
        r#"let allEmployees = datatable(organization: string, name:string, age:long)
[
  "R&D", "Alice", 32,
  "R&D","Bob", 31,
  "R&D","Eve", 27,
  "R&D","Mallory", 29,
  "Marketing", "Alex", 35
];
let allReports = datatable(employee:string, manager:string, modificationDate: datetime)
[
  "Bob", "Alice", datetime(2022-05-23),
  "Bob", "Eve", datetime(2023-01-01),
  "Eve", "Mallory", datetime(2022-05-23),
  "Alice", "Dave", datetime(2022-05-23)
];
let filteredEmployees =
    allEmployees
    | where organization == "R&D"
    | project-away age, organization;
let filteredReports =
    allReports
    | summarize arg_max(modificationDate, *) by employee
    | project-away modificationDate;
filteredReports
| make-graph employee --> manager with filteredEmployees on name
| graph-match (employee)-[hasManager*2..5]-(manager)
  where employee.name == "Bob"
  project employee = employee.name, topManager = manager.name"#,
        r#"employee:string | topManager:string
        "Bob" | "Mallory""#,
    );
}

/// node-degree-in.md prints a third row for an employee "Ellen" its data
/// does not have; the data gives these two.
#[test]
fn node_degree_in_of_managers() {
    rows(
        r#"let employees = datatable(name:string, age:long)
[
"Alice", 32,
"Bob", 31,
"Eve", 27,
"Joe", 29,
"Chris", 45,
"Alex", 35,
"Ben", 23,
"Richard", 39,
];
let reports = datatable(employee:string, manager:string)
[
"Bob", "Alice",
"Chris", "Alice",
"Eve", "Bob",
"Ben", "Chris",
"Joe", "Alice",
"Richard", "Bob"
];
reports
| make-graph employee --> manager with employees on name
| graph-match (manager)<-[reports*1..3]-(employee)
    where node_degree_in(manager) == 3 and any(inner_nodes(reports), node_degree_in() > 1)
    project manager.name, employee.name, 
            reports_and_inner_nodes_degree_in = map(inner_nodes(reports), strcat(name, " has ", node_degree_in(), " reports")),
            degree_in_m=node_degree_in(manager), 
            degree_out_e=node_degree_out(employee)"#,
        r#"manager_name:string | employee_name:string | reports_and_inner_nodes_degree_in:dynamic | degree_in_m:long | degree_out_e:long
        "Alice" | "Eve" | ["Bob has 2 reports"] | 3 | 1
        "Alice" | "Richard" | ["Bob has 2 reports"] | 3 | 1"#,
    );
}

/// node-degree-out.md's second example prints two columns named
/// degree_in_m and degree_out_m for a query that projects six; the values
/// it prints are di_m and do_m here.
#[test]
fn node_degree_out_of_the_top_manager() {
    rows(
        r#"let employees = datatable(name:string, age:long)
[
"Alice", 32,
"Bob", 31,
"Eve", 27,
"Joe", 29,
"Chris", 45,
"Alex", 35,
"Ben", 23,
"Richard", 39,
"Jim", 42,
];
let reports = datatable(employee:string, manager:string)
[
"Bob", "Alice",
"Chris", "Alice",
"Eve", "Bob",
"Ben", "Chris",
"Joe", "Alice",
"Richard", "Bob",
"Alice", "Jim"
];
reports
| make-graph employee --> manager with employees on name
| graph-match (manager)<-[reports]-(employee)
where node_degree_out(manager) == 0
project manager.name, employee.name, di_m=node_degree_in(manager), do_m=node_degree_out(manager), di_e=node_degree_in(employee), do_e=node_degree_out(employee)"#,
        r#"manager_name:string | employee_name:string | di_m:long | do_m:long | di_e:long | do_e:long
        "Jim" | "Alice" | 1 | 0 | 3 | 1"#,
    );
}

/// node-id.md prints the columns as manager_1 and manager_2; the query
/// names them manager1 and manager2.
#[test]
fn node_id_of_managers() {
    rows(
        r#"let employees = datatable(name:string, age:long)
[
"Alice", 32,
"Bob", 31,
"Eve", 27,
];
let reports = datatable(employee:string, manager:string)
[
"Bob", "Alice",
"Chris", "Alice",
"Eve", "Bob",
];
reports
| make-graph employee --> manager with employees on name
| graph-match (employee)-[reports*1..3]->(manager)
    where node_id(employee) startswith "E"
    project manager1 = node_id(manager), manager2 = map(inner_nodes(reports), node_id())"#,
        r#"manager1:string | manager2:dynamic
        "Bob" | []
        "Alice" | ["Bob"]"#,
    );
}

/// A small graph for the semantics and the errors below: a -> b -> c -> a,
/// and c -> d.
const RING: &str = r#"datatable(src:string, dst:string, w:long) ["a","b",1, "b","c",2, "c","a",3, "c","d",4]
| make-graph src --> dst with_node_id=id
"#;

#[test]
fn directions_and_anonymous_elements() {
    rows(
        &format!("{RING}| graph-match (x)<--(y) where x.id == \"a\" project x.id, y.id"),
        r#"x_id:string | y_id:string
        "a" | "c""#,
    );
    rows(
        &format!("{RING}| graph-match (x)-[e]-(y) where x.id == \"c\" project y.id, e.w"),
        r#"y_id:string | e_w:long
        "a" | 3
        "b" | 2
        "d" | 4"#,
    );
}

/// cycles: by default an edge is walked once per match; `none` keeps a
/// node from repeating; `all` walks the ring round again.
#[test]
fn cycle_semantics() {
    let walk = |cycles: &str| {
        format!(
            "{RING}| graph-match {cycles} (x)-[e*1..4]->(y) where x.id == \"a\" and y.id == \"a\" project path = map(e, dst)"
        )
    };
    rows(
        &walk(""),
        r#"path:dynamic
        ["b","c","a"]"#,
    );
    rows(&walk("cycles=none"), "path:dynamic");
    rows(
        &walk("cycles=all"),
        r#"path:dynamic
        ["b","c","a"]"#,
    );
    rows(
        &format!(
            "{RING}| graph-match cycles=all (x)-[e*1..6]->(y) where x.id == \"a\" and y.id == \"a\" project path = map(e, dst)"
        ),
        r#"path:dynamic
        ["b","c","a"]
        ["b","c","a","b","c","a"]"#,
    );
}

/// A zero-length edge matches the node itself; all() holds and any()
/// does not over no edges, and map() is empty.
#[test]
fn zero_length_edges() {
    rows(
        &format!(
            "{RING}| graph-match (x)-[e*0..1]->(y) where x.id == \"d\" project y.id, all(e, w > 100), any(e, w > 0), n = map(e, w)"
        ),
        r#"y_id:string | Column2:bool | Column3:bool | n:dynamic
        "d" | true | false | []"#,
    );
}

/// A variable-length edge's property is an array; a node on its own is a
/// property bag; labels() of a made graph are empty.
#[test]
fn properties_of_paths_and_whole_elements() {
    rows(
        &format!(
            "{RING}| graph-match (x)-[e*2..2]->(y) where x.id == \"a\" project e.w, x, labels(x), array_length(e)"
        ),
        r#"e_w:dynamic | x:dynamic | labels:dynamic | Column4:long
        [1,2] | {"id":"a"} | [] | 2"#,
    );
}

/// `--` in make-graph: every edge can be walked either way.
#[test]
fn undirected_graph() {
    rows(
        r#"datatable(src:string, dst:string) ["a","b", "b","c"]
        | make-graph src -- dst with_node_id=id
        | graph-match (x)-->(y) where x.id == "b" project y.id"#,
        r#"y_id:string
        "a"
        "c""#,
    );
}

/// Two node tables with different id columns make one set of nodes.
#[test]
fn two_node_tables() {
    rows(
        r#"let people = datatable(name:string, age:long) ["a", 30];
        let hosts = datatable(host:string, os:string) ["h1", "linux"];
        datatable(user:string, machine:string) ["a","h1", "b","h1"]
        | make-graph user --> machine with people on name, hosts on host
        | graph-to-table nodes"#,
        r#"name:string | age:long | host:string | os:string
        "a" | 30 | "" | ""
        "" | null | "h1" | "linux"
        "b" | null | "" | """#,
    );
}

/// graph-mark-components kind=strong: the ring is one component, d its own.
#[test]
fn strong_components() {
    rows(
        &format!("{RING}| graph-mark-components kind=strong | graph-to-table nodes"),
        r#"id:string | ComponentId:long
        "a" | 0
        "b" | 0
        "c" | 0
        "d" | 1"#,
    );
}

/// A table follows the graph operators as usual.
#[test]
fn the_table_flows_on() {
    table(
        &format!("{RING}| graph-to-table edges | summarize total = sum(w)"),
        "total:long
        10",
    );
}

/// A `let` may name a graph (graph-scenarios.md writes `let graph =
/// edges | make-graph ...;`), and another `let` may mark it.
#[test]
fn a_let_names_a_graph() {
    let lets = r#"let g = datatable(src:string, dst:string) ["a","b", "c","d"]
    | make-graph src --> dst with_node_id=id;
let marked = g | graph-mark-components with_component_id=part;
"#;
    rows(
        &format!("{lets}marked | graph-match (x)-->(y) project x.id, y.part"),
        r#"x_id:string | y_part:long
        "a" | 0
        "c" | 1"#,
    );
    rows(
        &format!("{lets}g | graph-to-table edges"),
        r#"src:string | dst:string
        "a" | "b"
        "c" | "d""#,
    );
    assert_eq!(
        error(&format!("{lets}g | take 1")),
        tidy_error(
            "error: 'take' cannot read a graph: only graph-match, graph-shortest-paths, graph-to-table or graph-mark-components can (graph-to-table makes a table of it)
             --> line 4, column 5
              |
            4 | g | take 1
              |     ^^^^^^"
        )
    );
}

/// graph-to-table-operator.md, "nodes and edges": the statement names
/// both tables; the statements after it show them. Quarry shows one result
/// per query, so each is asked for alone; the documentation's `N; E`
/// would lose N's, which is an error at N.
const NODES_AND_EDGES: &str = r#"let nodes = datatable(name:string, type:string, age:long) 
[ 
	"Alice", "Person", 23,  
	"Bob", "Person", 31,  
	"Eve", "Person", 17,
	"Trent", "System", 99
]; 
let edges = datatable(source:string, destination:string, edge_type:string) 
[ 
	"Alice", "Bob", "communicatesWith",  
	"Alice", "Trent", "trusts",  
	"Bob", "Trent", "hasPermission",  
	"Eve", "Alice", "attacks",  
	"Mallory", "Alice", "attacks",  
	"Mallory", "Bob", "attacks"
]; 
edges 
| make-graph source --> destination with nodes on name
| graph-to-table nodes as N with_node_id=NodeId, edges as E with_source_id=SourceId;
"#;

#[test]
fn nodes_and_edges_named_tables() {
    rows(
        &format!("{NODES_AND_EDGES}N"),
        r#"NodeId:long | name:string | type:string | age:long
        -3122868243544336885 | "Alice" | "Person" | 23
        -7133945255344544237 | "Bob" | "Person" | 31
        4363395278938690453 | "Eve" | "Person" | 17
        2533909231875758225 | "Trent" | "System" | 99
        3855580634910899594 | "Mallory" | "" | null"#,
    );
    rows(
        &format!("{NODES_AND_EDGES}E"),
        r#"SourceId:long | source:string | destination:string | edge_type:string
        -3122868243544336885 | "Alice" | "Bob" | "communicatesWith"
        -3122868243544336885 | "Alice" | "Trent" | "trusts"
        -7133945255344544237 | "Bob" | "Trent" | "hasPermission"
        4363395278938690453 | "Eve" | "Alice" | "attacks"
        3855580634910899594 | "Mallory" | "Alice" | "attacks"
        3855580634910899594 | "Mallory" | "Bob" | "attacks""#,
    );
    assert_eq!(
        error(&format!("{NODES_AND_EDGES}N;\nE")),
        tidy_error(
            "error: Quarry shows the result of a query's last statement only, so this statement's would be lost: end it with '| as Name' to use it in the statements after it
              --> line 20, column 1
               |
            20 | N;
               | ^"
        )
    );
    assert_eq!(check(&format!("{NODES_AND_EDGES}E"), &[]), Ok(()));
}

#[test]
fn a_graph_piped_into_a_tabular_operator_is_an_error() {
    assert_eq!(
        error(&format!("{RING}| take 3")),
        tidy_error(
            "error: 'take' cannot read a graph: only graph-match, graph-shortest-paths, graph-to-table or graph-mark-components can (graph-to-table makes a table of it)
             --> line 3, column 3
              |
            3 | | take 3
              |   ^^^^^^"
        )
    );
    assert_eq!(
        error(&format!("{RING}| summarize count()")),
        tidy_error(
            "error: 'summarize' cannot read a graph: only graph-match, graph-shortest-paths, graph-to-table or graph-mark-components can (graph-to-table makes a table of it)
             --> line 3, column 3
              |
            3 | | summarize count()
              |   ^^^^^^^^^"
        )
    );
}

#[test]
fn a_query_cannot_end_with_a_graph() {
    assert_eq!(
        error(RING),
        tidy_error(
            "error: the query ends with a graph: pipe it into graph-match, graph-shortest-paths, graph-to-table or graph-mark-components
             --> line 2, column 3
              |
            2 | | make-graph src --> dst with_node_id=id
              |   ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^"
        )
    );
}

#[test]
fn graph_match_needs_a_graph() {
    assert_eq!(
        error(r#"datatable(a:string) ["x"] | graph-match (n) project n.a"#),
        tidy_error(
            r#"error: graph-match needs a graph: put it after make-graph (it cannot read a table)
             --> line 1, column 29
              |
            1 | datatable(a:string) ["x"] | graph-match (n) project n.a
              |                             ^^^^^^^^^^^^^^^^^^^^^^^^^^^"#
        )
    );
}

#[test]
fn unknown_variable_in_where() {
    assert_eq!(
        error(&format!(
            "{RING}| graph-match (n)-->(m) where k.id == \"a\" project n.id"
        )),
        tidy_error(
            "error: unknown variable 'k': the pattern names m, n
             --> line 3, column 31
              |
            3 | | graph-match (n)-->(m) where k.id == \"a\" project n.id
              |                               ^"
        )
    );
}

#[test]
fn unknown_property() {
    assert_eq!(
        error(&format!(
            "{RING}| graph-match (n)-[e]->(m) project e.weight"
        )),
        tidy_error(
            "error: the edge 'e' has no property 'weight' (its properties: src, dst, w)
             --> line 3, column 38
              |
            3 | | graph-match (n)-[e]->(m) project e.weight
              |                                      ^^^^^^"
        )
    );
    assert_eq!(
        error(&format!(
            "{RING}| graph-match (n)-[e*1..2]->(m) project map(e, srcc)"
        )),
        tidy_error(
            "error: 'srcc' is not a property of the edges of 'e' (did you mean 'src'?)
             --> line 3, column 48
              |
            3 | | graph-match (n)-[e*1..2]->(m) project map(e, srcc)
              |                                                ^^^^"
        )
    );
}

#[test]
fn bad_pattern_syntax() {
    assert_eq!(
        error(&format!(
            "{RING}| graph-match (n)-[e*1..]->(m) project n.id"
        )),
        tidy_error(
            "error: expected the maximum length after '..'
             --> line 3, column 25
              |
            3 | | graph-match (n)-[e*1..]->(m) project n.id
              |                         ^"
        )
    );
    assert_eq!(
        error(&format!("{RING}| graph-match (n)-->m project n.id")),
        tidy_error(
            "error: expected a node such as '(n)' or '()' in the graph pattern after '>'
             --> line 3, column 21
              |
            3 | | graph-match (n)-->m project n.id
              |                     ^"
        )
    );
    assert_eq!(
        error(&format!("{RING}| graph-match (n)<-->(m) project n.id")),
        tidy_error(
            "error: an edge points one way ('-->' or '<--') or none ('--'), not both
             --> line 3, column 18
              |
            3 | | graph-match (n)<-->(m) project n.id
              |                  ^^^^"
        )
    );
    assert_eq!(
        error(&format!("{RING}| graph-match (a)-->(b), (c)-->(d) project a.id")),
        tidy_error(
            "error: the pattern's sequences are not connected: each sequence must share a node variable with another
             --> line 3, column 15
              |
            3 | | graph-match (a)-->(b), (c)-->(d) project a.id
              |               ^^^^^^^^^^^^^^^^^^^^"
        )
    );
    assert_eq!(
        error(&format!(
            "{RING}| graph-match (n)-->(m) where n.id == \"a\""
        )),
        tidy_error(
            "error: expected 'project' and the output columns after '\"a\"'
             --> line 3, column 42
              |
            3 | | graph-match (n)-->(m) where n.id == \"a\"
              |                                          ^"
        )
    );
}

/// More matches than the memory budget holds are refused, not built.
#[test]
fn a_runaway_pattern_is_refused() {
    // Three nodes, each linked both ways to the others: 2^n walks of n
    // edges from every node.
    let query = r#"datatable(src:string, dst:string) ["a","b", "b","a", "b","c", "c","b", "a","c", "c","a"]
| make-graph src --> dst with_node_id=id
| graph-match cycles=all (x)-[e*1..30]->(y) project x.id"#;
    let options = quarry::kql::RunOptions {
        budget: quarry::kql::Budget::new(64 << 10),
        ..Default::default()
    };
    let e = quarry::kql::run(&quarry::data::catalog::Catalog::new(), query, &options)
        .expect_err("the budget refuses the pattern");
    assert_eq!(e.kind, quarry::kql::error::ErrorKind::Limit);
    assert_eq!(
        e.render(query),
        tidy_error(
            "error: graph-match would produce 249 rows (about 64.2 KiB), more than the limit of 248 rows (64.0 KiB of memory at 264 bytes a row; set with --max-memory); it stopped counting there; constrain the pattern in 'where', shorten its variable-length edges or use cycles=none
             --> line 3, column 3
              |
            3 | | graph-match cycles=all (x)-[e*1..30]->(y) project x.id
              |   ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^"
        )
    );
}

/// Shortest paths are found breadth first, so a dense graph whose every
/// path would not fit in the budget still gives them: eight nodes each
/// linked to every other have 1,957 paths from 1 to 8 of up to 7 edges.
#[test]
fn shortest_paths_in_a_dense_graph_fit_a_small_budget() {
    let dense = r#"let n = range i from 1 to 8 step 1 | project id = tostring(i), k = 1;
n | join kind=inner (n) on k | where id != id1 | project src = id, dst = id1
| make-graph src --> dst with_node_id=id
"#;
    let options = quarry::kql::RunOptions {
        budget: quarry::kql::Budget::new(64 << 10),
        ..Default::default()
    };
    let run = |q: &str| {
        quarry::kql::run(&quarry::data::catalog::Catalog::new(), q, &options)
            .map(|f| common::render(&f))
            .unwrap_or_else(|e| panic!("{q}\n{}", e.render(q)))
    };
    let direct = format!(
        "{dense}| graph-shortest-paths (a)-[e*1..7]->(b) where a.id == \"1\" and b.id == \"8\" project via = map(inner_nodes(e), id)"
    );
    assert_eq!(run(&direct), "via:dynamic\n[]");
    // Without the direct edge, six paths of two edges, in node order.
    let around = format!(
        "{dense}| graph-shortest-paths output=all (a)-[e*1..7]->(b) where a.id == \"1\" and b.id == \"8\" and all(e, not(src == \"1\" and dst == \"8\")) project via = map(inner_nodes(e), id)"
    );
    assert_eq!(
        run(&around),
        tidy(
            r#"via:dynamic
            ["2"]
            ["3"]
            ["4"]
            ["5"]
            ["6"]
            ["7"]"#
        )
    );
    // Every path, as graph-match finds them, is more than the budget.
    let every = format!(
        "{dense}| graph-match cycles=none (a)-[e*1..7]->(b) where a.id == \"1\" and b.id == \"8\" project via = map(inner_nodes(e), id) | count"
    );
    let e = quarry::kql::run(&quarry::data::catalog::Catalog::new(), &every, &options)
        .expect_err("refused");
    assert_eq!(e.kind, quarry::kql::error::ErrorKind::Limit);
}

/// Nothing typed panics: every documentation example above, cut short
/// at each of a spread of places or with a stretch of it removed, runs
/// or gives an error.
#[test]
fn mangled_graph_queries_never_panic() {
    let queries = [
        NODES_AND_EDGES,
        RING,
        r#"datatable(s:string, t:string) ["a","b"] | make-graph s --> t with_node_id=id
        | graph-match (x)-[e*0..2]->(y) project map(inner_nodes(e), id), all(inner_nodes(e), id == "a"), any(e, s == "a"), node_id(x), labels(e)"#,
        r#"datatable(s:string, t:string, p:string) ["a","b","x", "b","a","y"]
        | make-graph s --> t with_node_id=id partitioned-by p (graph-shortest-paths output=all (x)-[e*1..3]-(y) where x.id == "a" project y.id)"#,
    ];
    let mut tried = 0;
    for query in queries {
        let chars: Vec<char> = query.chars().collect();
        let step = (chars.len() / 40).max(1);
        for at in (0..chars.len()).step_by(step) {
            let cut: String = chars[..at].iter().collect();
            let holed: String = chars[..at]
                .iter()
                .chain(&chars[(at + 7).min(chars.len())..])
                .collect();
            for q in [cut, holed] {
                let _ = try_run(&q);
                tried += 1;
            }
        }
    }
    assert!(tried > 200, "{tried}");
}

/// The condition is applied as matches are found, so only those it keeps
/// count against the budget: 196,602 walks of up to 15 edges (28 MB)
/// would not fit in 16 MB, the 65,532 closed ones (9.4 MB) do.
#[test]
fn the_condition_is_applied_while_searching() {
    let query = r#"datatable(src:string, dst:string) ["a","b", "b","a", "b","c", "c","b", "a","c", "c","a"]
| make-graph src --> dst with_node_id=id
| graph-match cycles=all (x)-[e*1..15]->(y) where x.id == y.id project x.id
| count"#;
    let options = quarry::kql::RunOptions {
        budget: quarry::kql::Budget::new(16 << 20),
        ..Default::default()
    };
    let frame = quarry::kql::run(&quarry::data::catalog::Catalog::new(), query, &options)
        .unwrap_or_else(|e| panic!("{}", e.render(query)));
    assert_eq!(common::render(&frame), "Count:long\n65532");
}

/// The binary: `quarry check` accepts a graph query, and `quarry query`
/// runs one and says where a graph was misused.
#[test]
fn the_binary_checks_and_runs_graph_queries() {
    use assert_cmd::cargo::CommandCargoExt;
    let matching =
        format!("{RING}| graph-match (x)-[e*2..2]->(y) where x.id == \"a\" project y.id");
    let out = std::process::Command::cargo_bin("quarry")
        .expect("the binary")
        .args(["check", &matching])
        .output()
        .expect("runs");
    assert!(out.status.success(), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "ok\n");
    let out = std::process::Command::cargo_bin("quarry")
        .expect("the binary")
        .args(["query", "--sample", "--format", "csv", &matching])
        .output()
        .expect("runs");
    assert!(out.status.success(), "{out:?}");
    // CSV rows end with CRLF (RFC 4180).
    assert_eq!(String::from_utf8_lossy(&out.stdout), "y_id\r\nc\r\n");
    let out = std::process::Command::cargo_bin("quarry")
        .expect("the binary")
        .args(["query", "--sample", &format!("{RING}| count")])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(
            "error: 'count' cannot read a graph: only graph-match, graph-shortest-paths, graph-to-table or graph-mark-components can"
        ),
        "{out:?}"
    );
}

/// graph("Model") (labels-graph-function.md's examples) reads a graph
/// model kept by a cluster: said plainly, by the runner and by check.
#[test]
fn stored_graph_models_are_a_cluster_feature() {
    let query = r#"graph("Simple") | graph-match (p)-[w]->(c) project p.name"#;
    let expected = tidy_error(
        r#"error: graph() reads a graph model stored on a cluster, which Quarry (offline) does not have: build the graph from tables with make-graph
         --> line 1, column 1
          |
        1 | graph("Simple") | graph-match (p)-[w]->(c) project p.name
          | ^^^^^"#,
    );
    assert_eq!(error(query), expected);
    let e = check(query, &[]).expect_err("a cluster feature");
    assert_eq!(e.render(query), expected);
}

#[test]
fn check_knows_the_graph_operators() {
    for query in [
        r#"let connections = datatable(from_station:string, to_station:string, line:string) 
[ 
  "Central", "North", "red",
  "North", "Central", "red", 
  "Central", "South",  "red", 
  "South", "Central",  "red", 
  "South", "South-West", "red", 
  "South-West", "South", "red", 
  "South-West", "West", "red", 
  "West", "South-West", "red", 
  "Central", "East", "blue", 
  "East", "Central", "blue", 
  "Central", "West", "blue",
  "West", "Central", "blue",
]; 
let stations = datatable(station:string, wifi: bool) 
[ 
  "Central", true,
  "North", false,
  "South", false,
  "South-West", true,
  "West", true,
  "East", false
];
connections 
| make-graph from_station --> to_station with stations on station
| graph-shortest-paths (start)-[connections*2..5]->(destination)
  where start.station == "South-West" and
        destination.station == "North" and 
        all(inner_nodes(connections), wifi)
  project from = start.station, 
          stations = strcat_array(map(inner_nodes(connections), station), "->"), 
          to = destination.station"#,
        r#"let ChildOf = datatable(child:string, parent:string) 
[ 
  "Alice", "Bob",  
  "Carol", "Alice",  
  "Carol", "Dave",  
  "Greg", "Alice",  
  "Greg", "Dave",  
  "Howard", "Alice",  
  "Howard", "Dave",  
  "Eve", "Frank",  
  "Frank", "Mallory",
  "Eve", "Kirk",
]; 
ChildOf 
| make-graph child --> parent with_node_id=name
| graph-mark-components with_component_id = family
| graph-match (descendant)-[childOf*1..5]->(ancestor)
  project name = ancestor.name, lineage = map(childOf, child), family = ancestor.family
| summarize (generations, name) = arg_max(array_length(lineage),name) by family"#,
        r#"let employees = datatable(name:string, age:long)
[
"Alice", 32,
"Bob", 31,
"Eve", 27,
"Joe", 29,
"Chris", 45,
"Alex", 35,
"Ben", 23,
"Richard", 39,
];
let reports = datatable(employee:string, manager:string)
[
"Bob", "Alice",
"Chris", "Alice",
"Eve", "Bob",
"Ben", "Chris",
"Joe", "Alice",
"Richard", "Bob"
];
reports
| make-graph employee --> manager with employees on name
| graph-match (manager)<-[reports*1..3]-(employee)
    where node_degree_in(manager) == 3 and any(inner_nodes(reports), node_degree_in() > 1)
    project manager.name, employee.name, 
            reports_and_inner_nodes_degree_in = map(inner_nodes(reports), strcat(name, " has ", node_degree_in(), " reports")),
            degree_in_m=node_degree_in(manager), 
            degree_out_e=node_degree_out(employee)"#,
    ] {
        assert_eq!(check(query, &[]), Ok(()), "{query}");
    }
    let e = check(
        &format!("{RING}| graph-match (n)-->(m) project strlenn(n.id)"),
        &[],
    )
    .expect_err("an unknown function");
    assert_eq!(
        e.message,
        "unknown function 'strlenn' (did you mean 'strlen'?)"
    );
    // Graph functions are graph-match's only.
    let e = check("print node_degree_in(x)", &[]).expect_err("not a graph");
    assert!(
        e.message.starts_with("unknown function 'node_degree_in'"),
        "{}",
        e.message
    );
}

/// The expected rendering of an error, written indented in a test.
fn tidy_error(text: &str) -> String {
    let mut lines = text.lines();
    let first = lines.next().unwrap_or_default().to_string();
    let rest: Vec<&str> = lines.collect();
    let indent = rest
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    std::iter::once(first)
        .chain(
            rest.iter()
                .map(|l| l.get(indent..).unwrap_or("").to_string()),
        )
        .collect::<Vec<_>>()
        .join("\n")
}
