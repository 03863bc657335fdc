//! Resource handles: each builds requests for one part of Graph and hands them to the
//! client's send path.

mod device_configurations;

pub use device_configurations::DeviceConfigurations;
