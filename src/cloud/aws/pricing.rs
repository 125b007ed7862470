//! The Fargate prices of a region from the Price List API (`pricing:GetProducts`): the
//! products of AmazonECS in the region whose usage type names Fargate, each a JSON document
//! as a string, read into a `PriceTable` of Linux x86 and ARM, on demand and Spot.

use crate::cloud::aws::gate::{CallGate, Within};
use crate::model::cost::{PriceTable, usage_type};
use crate::model::{ApiError, ApiResult, ErrorKind, Op};
use aws_sdk_pricing::types::{Filter, FilterType};

/// A region's Fargate products are a few dozen; a page holds up to 100. More pages than this
/// means the filter did not hold: stop rather than read the whole list.
const MAX_PAGES: usize = 5;

/// The Price List API's endpoint nearest a region: it answers only in these three.
pub fn endpoint_region(region: &str) -> &'static str {
    if region.starts_with("eu-") || region.starts_with("me-") || region.starts_with("af-") {
        "eu-central-1"
    } else if region.starts_with("ap-") {
        "ap-south-1"
    } else {
        "us-east-1"
    }
}

fn filter(kind: FilterType, field: &str, value: &str) -> ApiResult<Filter> {
    Filter::builder()
        .r#type(kind)
        .field(field)
        .value(value)
        .build()
        .map_err(|e| ApiError::new(ErrorKind::Other, format!("pricing filter: {e}")))
}

/// Reads the Fargate prices of `region`, every page, through the budget.
pub async fn fargate_prices(
    client: &aws_sdk_pricing::Client,
    gate: &CallGate,
    region: &str,
) -> ApiResult<PriceTable> {
    let filters = vec![
        filter(FilterType::TermMatch, "regionCode", region)?,
        filter(FilterType::Contains, "usagetype", "Fargate")?,
    ];
    let mut table = PriceTable {
        region: region.to_string(),
        ..PriceTable::default()
    };
    let mut token: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let out = client
            .get_products()
            .service_code("AmazonECS")
            .format_version("aws_v1")
            .set_filters(Some(filters.clone()))
            .max_results(100)
            .set_next_token(token.take())
            .send()
            .within(gate, Op::PricingGetProducts)
            .await?;
        for doc in out.price_list() {
            read_product(doc, &mut table);
        }
        match out.next_token() {
            Some(t) if !t.is_empty() => token = Some(t.to_string()),
            _ => break,
        }
    }
    let table = table.complete();
    if table.is_empty() {
        return Err(ApiError::new(
            ErrorKind::Other,
            format!("the Price List gave no Fargate price for {region}"),
        ));
    }
    Ok(table)
}

/// Adds what one product document prices to `table`; a document that is not one of the eight
/// Fargate usage types, or does not parse, adds nothing.
pub fn read_product(doc: &str, table: &mut PriceTable) {
    let Ok(v) = serde_json::from_str::<serde_json::Value>(doc) else {
        tracing::warn!("a Price List product did not parse as JSON");
        return;
    };
    let Some(kind) = v["product"]["attributes"]["usagetype"]
        .as_str()
        .and_then(usage_type)
    else {
        return;
    };
    if let Some(usd) = on_demand_usd(&v) {
        let (arch, capacity, part) = kind;
        table.set(arch, capacity, part, usd);
    }
}

/// The product's one on-demand price in USD (Fargate has no tiers), if it has exactly one.
fn on_demand_usd(v: &serde_json::Value) -> Option<f64> {
    let mut prices = v["terms"]["OnDemand"]
        .as_object()?
        .values()
        .filter_map(|term| term["priceDimensions"].as_object())
        .flat_map(|dims| dims.values())
        .filter_map(|dim| dim["pricePerUnit"]["USD"].as_str()?.parse::<f64>().ok())
        .filter(|p| p.is_finite() && *p >= 0.0);
    let first = prices.next()?;
    prices.next().is_none().then_some(first)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::cost::Rate;

    fn product(usagetype: &str, usd: &str) -> String {
        serde_json::json!({
            "product": {"productFamily": "Compute", "attributes": {"usagetype": usagetype}},
            "terms": {"OnDemand": {"SKU.T": {"priceDimensions": {"SKU.T.D": {
                "unit": "hours", "pricePerUnit": {"USD": usd}}}}}}
        })
        .to_string()
    }

    #[test]
    fn products_fill_the_table_and_others_are_skipped() {
        let mut t = PriceTable::default();
        read_product(
            &product("EUC1-Fargate-vCPU-Hours:perCPU", "0.04656"),
            &mut t,
        );
        read_product(&product("EUC1-Fargate-GB-Hours", "0.00511"), &mut t);
        read_product(&product("EUC1-Fargate-Windows-GB-Hours", "9"), &mut t);
        read_product("not json", &mut t);
        read_product(&product("EUC1-Fargate-ARM-GB-Hours", "nope"), &mut t);
        let t = t.complete();
        assert_eq!(
            t.x86,
            Some(Rate {
                vcpu_hour: 0.04656,
                gb_hour: 0.00511
            })
        );
        assert_eq!(t.arm, None);
    }

    #[test]
    fn the_endpoint_is_the_nearest_of_three() {
        assert_eq!(endpoint_region("eu-west-1"), "eu-central-1");
        assert_eq!(endpoint_region("ap-northeast-1"), "ap-south-1");
        assert_eq!(endpoint_region("us-west-2"), "us-east-1");
        assert_eq!(endpoint_region("sa-east-1"), "us-east-1");
    }
}
