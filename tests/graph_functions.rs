//! The graph functions' documentation examples (all(), any(),
//! inner_nodes(), map(), node_degree_in(), node_degree_out(), node_id())
//! with their printed outputs, compared as sets of rows; where a page's
//! printed output cannot come from its query, what the query gives.

use crate::graph::rows;

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
